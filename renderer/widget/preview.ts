import type { WireMessage } from './api.js';
import type { StringKey } from './i18n.js';

/**
 * The preview's content (`data-preview="true"`, the console's theme editor): a short sample conversation in the
 * widget's language, and the local answer to whatever the admin types. Nothing here touches the network.
 */
type Translate = (key: StringKey) => string;

/** A visitor question and a cited answer, so the preview shows both bubble colours and a source line. */
export function sampleConversation(t: Translate): WireMessage[] {
  return [
    { id: 'preview-question', role: 'visitor', text: t('previewQuestion') },
    {
      id: 'preview-answer',
      role: 'assistant',
      text: t('previewAnswer'),
      citations: [{ docId: 'preview', title: t('previewSource') }],
    },
  ];
}

let counter = 0;

/** The messages a preview shows for a visitor's text: the text itself, then a fixed local reply. */
export function previewExchange(text: string, t: Translate): [WireMessage, WireMessage] {
  counter += 1;
  return [
    { id: `preview-visitor-${counter}`, role: 'visitor', text },
    { id: `preview-reply-${counter}`, role: 'assistant', text: t('previewReply') },
  ];
}
