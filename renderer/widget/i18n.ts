/** The widget's strings: English, plus German. A missing language or key falls back to English. */
const en = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  defaultTitle: 'Help',
  close: 'Close',
  greeting: 'Hi! How can we help?',
  inputLabel: 'Your message',
  placeholder: 'Type your message…',
  send: 'Send',
  talkToPerson: 'Talk to a person',
  typing: 'Typing…',
  agentJoined: 'An agent joined',
  humanPending: 'A person will join shortly',
  resolved: 'This conversation has been resolved.',
  csatQuestion: 'How would you rate this conversation?',
  csatStar: '{n} of 5 stars',
  csatThanks: 'Thank you for your feedback!',
  newConversation: 'Start a new conversation',
  sources: 'Sources:',
  messages: 'Messages',
  you: 'You',
  assistant: 'Assistant',
  agent: 'Agent',
  system: 'Notice',
  rateLimited: 'Too many messages, try again in {n} s',
  tooLong: 'That message is too long.',
  unavailable: 'The chat is not available on this page.',
  failed: 'Something went wrong. Please try again.',
  reconnecting: 'Connection lost, reconnecting…',
  previewQuestion: 'How do I reset my VPN password?',
  previewAnswer:
    'Open the VPN client, choose Settings, then Reset password, and follow the link we e-mail you.',
  previewSource: 'VPN guide',
  previewReply: 'This is a preview: answers from your knowledge base appear here.',
};

export type StringKey = keyof typeof en;
export type Strings = Record<StringKey, string>;

const de: Partial<Strings> = {
  openChat: 'Chat öffnen',
  closeChat: 'Chat schließen',
  defaultTitle: 'Hilfe',
  close: 'Schließen',
  greeting: 'Hallo! Wie können wir helfen?',
  inputLabel: 'Ihre Nachricht',
  placeholder: 'Nachricht eingeben…',
  send: 'Senden',
  talkToPerson: 'Mit einer Person sprechen',
  typing: 'Schreibt…',
  agentJoined: 'Ein Mitarbeiter ist beigetreten',
  humanPending: 'Gleich meldet sich eine Person',
  resolved: 'Diese Unterhaltung wurde abgeschlossen.',
  csatQuestion: 'Wie bewerten Sie diese Unterhaltung?',
  csatStar: '{n} von 5 Sternen',
  csatThanks: 'Vielen Dank für Ihre Bewertung!',
  newConversation: 'Neue Unterhaltung beginnen',
  sources: 'Quellen:',
  messages: 'Nachrichten',
  you: 'Sie',
  assistant: 'Assistent',
  agent: 'Mitarbeiter',
  system: 'Hinweis',
  rateLimited: 'Zu viele Nachrichten, bitte in {n} s erneut versuchen',
  tooLong: 'Diese Nachricht ist zu lang.',
  unavailable: 'Der Chat ist auf dieser Seite nicht verfügbar.',
  failed: 'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.',
  reconnecting: 'Verbindung unterbrochen, verbinde neu…',
  previewQuestion: 'Wie setze ich mein VPN-Passwort zurück?',
  previewAnswer:
    'Öffnen Sie den VPN-Client, wählen Sie Einstellungen, dann Passwort zurücksetzen, und folgen Sie dem Link in der E-Mail.',
  previewSource: 'VPN-Anleitung',
  previewReply: 'Dies ist eine Vorschau: Hier erscheinen Antworten aus Ihrer Wissensdatenbank.',
};

const tables: Record<string, Partial<Strings>> = { en, de };

export const supportedLanguages = Object.keys(tables);

/** The table language for a tag such as `de`, `de-AT` or `EN_us`; `en` for anything else. */
export function resolveLanguage(tag: string | null | undefined): string {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return primary in tables ? primary : 'en';
}

/** The string `key` in `lang` with `{name}` placeholders filled, falling back to English. */
export function translate(lang: string, key: StringKey, vars: Record<string, string | number> = {}): string {
  const text = tables[resolveLanguage(lang)]?.[key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** A translator bound to one language, as the widget's parts receive it. */
export type Translate = (key: StringKey, vars?: Record<string, string | number>) => string;

/** A translator bound to one language. */
export function translator(lang: string): Translate {
  const resolved = resolveLanguage(lang);
  return (key, vars) => translate(resolved, key, vars);
}
