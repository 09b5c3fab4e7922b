import type { Translate } from './i18n.js';
import { buttonElement, textElement } from './render.js';

/**
 * The satisfaction survey a resolved conversation ends with: five stars, then a thank-you, and the "new
 * conversation" button. It only draws; the widget sends the rating and decides when the survey shows.
 */
export class CsatPrompt {
  /** The survey's box; the panel places it. */
  readonly element: HTMLElement;
  private readonly question: HTMLElement;
  private readonly stars: HTMLButtonElement[] = [];
  private readonly newButton: HTMLButtonElement;

  constructor(
    doc: Document,
    private readonly t: Translate,
    actions: { rate: (rating: number) => void; startOver: () => void },
  ) {
    this.element = textElement(doc, 'div', 'csat');
    this.element.hidden = true;
    this.question = textElement(doc, 'p', 'csat-question', t('csatQuestion'));
    const group = textElement(doc, 'div', 'stars');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', t('csatQuestion'));
    for (let n = 1; n <= 5; n++) {
      const star = buttonElement(doc, 'star', '★', t('csatStar', { n }));
      star.addEventListener('click', () => actions.rate(n));
      this.stars.push(star);
      group.appendChild(star);
    }
    this.newButton = buttonElement(doc, 'new', t('newConversation'));
    this.newButton.addEventListener('click', () => actions.startOver());
    this.element.append(this.question, group, this.newButton);
  }

  get hidden(): boolean {
    return this.element.hidden;
  }

  show(): void {
    this.element.hidden = false;
  }

  focusFirstStar(): void {
    this.stars[0]?.focus();
  }

  /** Lights the chosen stars and locks them while the rating is sent. */
  lock(rating: number): void {
    this.stars.forEach((star, i) => {
      star.classList.toggle('on', i < rating);
      star.disabled = true;
    });
  }

  /** The rating failed: the visitor may pick again. */
  unlock(): void {
    this.stars.forEach((star) => (star.disabled = false));
  }

  showThanks(): void {
    this.question.textContent = this.t('csatThanks');
    this.stars.forEach((star) => (star.disabled = true));
  }

  /** The rated star is disabled now, so focus moves on to "new conversation" and stays in the panel. */
  focusNewConversation(): void {
    this.newButton.focus();
  }

  /** Hidden and unanswered again, for a fresh conversation. */
  reset(): void {
    this.element.hidden = true;
    this.question.textContent = this.t('csatQuestion');
    this.stars.forEach((star) => {
      star.disabled = false;
      star.classList.remove('on');
    });
  }
}
