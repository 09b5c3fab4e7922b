import { useEffect, useState } from 'react';
import { ApiError } from '../api.js';
import { similarAnswers } from '../desk/deskApi.js';
import { percent } from '../desk/format.js';

type AnswerMatch = Awaited<ReturnType<typeof similarAnswers>>[number];

/** Tenants whose server has no answer memory (no embedding model: 503): not asked again this session. */
const withoutMemory = new Set<string>();

/**
 * Answers agents already sent to questions like the visitor's last one (answer memory). A side aid: when the
 * lookup fails the box just stays away; the conversation does not depend on it.
 */
export function ConversationSimilar({ tenant, question }: { tenant: string; question: string }) {
  const [matches, setMatches] = useState<{ question: string; list: AnswerMatch[] } | null>(null);

  useEffect(() => {
    if (withoutMemory.has(tenant)) return;
    let current = true;
    similarAnswers(tenant, question).then(
      (list) => {
        if (current) setMatches({ question, list });
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 503) withoutMemory.add(tenant);
        if (current) setMatches({ question, list: [] });
      },
    );
    return () => {
      current = false;
    };
  }, [tenant, question]);

  const list = matches?.question === question ? matches.list : [];
  if (list.length === 0) return null;
  return (
    <section className="desk-similar" aria-labelledby="desk-similar-title">
      <h3 id="desk-similar-title">Similar answered questions</h3>
      <ul>
        {list.map(({ answer, similarity }) => (
          <li key={answer.id}>
            <details>
              <summary>
                <span className="desk-similar-question">{answer.question}</span>{' '}
                <span className="muted">{percent(similarity)} similar</span>
              </summary>
              <p className="desk-similar-answer">{answer.answer}</p>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
