import { seededRandom } from '../augment.js';

/**
 * Composed examples for "wants a human": request frames × who is asked for × what about, sampled with a fixed
 * seed. The authored sentences teach the phrasings; these teach the contrast that matters and that a handful
 * of sentences cannot cover: the same frame ("how can I reach …", "I want to …", "can you …") is a hand-over
 * request when it names a person and an ordinary request when it names a task or the support department's
 * contact details. Every list here was written for this project.
 */

const people = [
  'a human',
  'a person',
  'a real person',
  'an actual person',
  'someone',
  'somebody',
  'a live person',
  'an agent',
  'a live agent',
  'a human agent',
  'a real agent',
  'a representative',
  'a rep',
  'an operator',
  'a supervisor',
  'a manager',
  'a staff member',
  'a member of staff',
  'an employee',
  'a human being',
  'one of your agents',
  'someone from your team',
  'a support agent',
  'an advisor',
  'a consultant',
  'a live representative',
  'a real human',
  'anybody real',
  'somebody who works there',
  'a specialist',
];

const reachVerbs = [
  'talk to',
  'speak to',
  'speak with',
  'chat with',
  'talk with',
  'get in touch with',
  'contact',
  'reach',
  'be put through to',
  'be connected with',
  'be transferred to',
  'get hold of',
  'have a chat with',
  'get help from',
  'be helped by',
  'call',
  'message',
  'deal with',
];

const requestFrames = [
  'I want to {x}',
  'I would like to {x}',
  'I need to {x}',
  'how can I {x}?',
  'how do I {x}?',
  'can I {x}?',
  'is it possible to {x}?',
  'let me {x}',
  'what do I do to {x}?',
  'please let me {x}',
  'where can I {x}?',
  'help me {x}',
  'could you help me {x}?',
  'I wanna {x}',
  'id like to {x}',
  'any way to {x}?',
  'what is the way to {x}?',
  'is there a way to {x}?',
  'I have to {x}',
  'could I {x}?',
  'I am trying to {x}',
];

const moods = [
  '',
  '',
  '',
  'you are not helping, ',
  'this is not working, ',
  'I do not get it, ',
  'I am confused, ',
  'the bot is not helping, ',
  'sorry but ',
  'hi, ',
  'you do not understand me, ',
  'this is useless, ',
  'I have a question, ',
  'ok ',
];

const topics = [
  '',
  '',
  '',
  '',
  ' about my order',
  ' about a refund',
  ' about my account',
  ' regarding my invoice',
  ' please',
  ' right now',
  ' about a problem',
  ' today',
  ' about my delivery',
  ' about billing',
];

const departments = [
  'customer service',
  'customer support',
  'customer care',
  'your support department',
  'the helpdesk',
  'client services',
  'the customer service team',
  'your service desk',
  'the support centre',
  'customer services',
];

const departmentFrames = [
  'what is the phone number of {d}?',
  'what are the opening hours of {d}?',
  'what is the email address of {d}?',
  'when is {d} available?',
  'how can I contact {d}?',
  'how do I get in touch with {d}?',
  'I want to contact {d}',
  'where do I find the contact details of {d}?',
  'is {d} open on sundays?',
  'I need to call {d}',
  'how can I reach {d}?',
  'give me the number for {d}',
  'which email do I use for {d}?',
  'I want to write to {d}',
  'I would like to speak with {d}',
  'what time does {d} open?',
  'I need the address of {d}',
  'can I email {d}?',
  'how do I call {d}?',
  'I want to talk to {d}',
];

const tasks = [
  'reset my password',
  'change my password',
  'track my parcel',
  'see where my order is',
  'cancel my order',
  'change my order',
  'add something to my order',
  'get a refund',
  'check the status of my refund',
  'see your refund policy',
  'download my invoice',
  'get a copy of my bill',
  'check my invoices',
  'update my payment method',
  'pay with paypal',
  'report a problem with a payment',
  'fix a failed payment',
  'open an account',
  'create a profile',
  'delete my account',
  'close my profile',
  'switch to another account',
  'edit my personal details',
  'change my shipping address',
  'set up a delivery address',
  'see delivery options',
  'know how long delivery takes',
  'subscribe to the newsletter',
  'unsubscribe from emails',
  'leave a review',
  'give feedback on the app',
  'file a complaint',
  'make a complaint about a product',
  'see the cancellation fee',
  'recover my account',
  'sign up',
  'log in',
  'place an order',
  'buy a gift card',
  'return an item',
  'exchange a product',
  'use a discount code',
  'upgrade my plan',
  'update the app',
  'export my data',
  'leave a comment',
  'submit feedback',
  'write a review of the service',
  'share my opinion',
  'rate your service',
  'send a suggestion',
  'post a testimonial',
];

const taskFrames = [
  'how do I {t}?',
  'I want to {t}',
  'I need to {t}',
  'can you help me {t}?',
  'could you tell me how to {t}?',
  'where can I {t}?',
  'please help me {t}',
  'I would like to {t}',
  'what do I have to do to {t}?',
  'is it possible to {t}?',
  'can I {t}?',
  'I am trying to {t}',
  'tell me how to {t}',
  'can you ask an agent how to {t}?',
  'could you ask an agent if I can {t}?',
  'ask an agent to help me {t}',
  'please ask someone from your team whether I can {t}',
  'check with your colleagues how to {t}',
  'can you find out from your staff how to {t}?',
  'I have a question, how can I {t}?',
  'you are not helping, how do I {t}?',
  'I do not understand, how can I {t}?',
];

const subjects = [
  'my bill',
  'invoices',
  'getting a refund',
  'my order',
  'delivery times',
  'your return policy',
  'payment options',
  'my account',
  'cancellation fees',
  'the newsletter',
  'shipping costs',
  'creating an account',
  'requesting a receipt',
  'my subscription',
  'a charge on my card',
  'changing my address',
  'your prices',
  'the warranty',
  'resetting a password',
  'deleting my data',
  'an order I placed',
  'receipts',
  'a late delivery',
];

const infoFrames = [
  'tell me about {s}',
  'I want information about {s}',
  'I want to know something about {s}',
  'I have a question about {s}',
  'what can you tell me about {s}?',
  'give me info on {s}',
  'I need information on {s}',
  'question about {s}',
  'can you help me with {s}?',
  'I need help with {s}',
  'I have a problem with {s}',
  'some info about {s} please',
  'could you explain {s}?',
  'I want details about {s}',
];

const wantedThings = [
  'a refund',
  'my money back',
  'a receipt',
  'an invoice',
  'a discount code',
  'a new card',
  'an account',
  'a replacement',
  'a reimbursement',
  'a copy of my bill',
  'a tracking number',
  'a password reset link',
];

const wantedFrames = [
  'I want {w}, how do I get one?',
  'I need {w}, what should I do to get one?',
  'I would like {w}, can I have one?',
  'i want {w}, help me get one',
  'I need {w}, what do I have to do?',
  'I want {w}, can I get it?',
  'I do not have {w} yet and I want one',
  'id like {w}, what are the steps?',
  'I need {w}, get it for me',
];

const problems = [
  'I got an error when I paid but the money was taken anyway',
  'my parcel arrived damaged',
  'the app logged me out and I cannot get back in',
  'I was charged but the order shows as cancelled',
  'my discount code was rejected',
  'the confirmation email never arrived',
  'the tracking page shows nothing',
  'I paid twice by mistake',
  'my invoice has the wrong address',
  'I cannot finish the checkout',
];

const problemFollowUps = [
  '',
  ', what should I do?',
  ', can I report it?',
  ', how do I report this?',
  ' and I want to report it',
  ', please fix it',
  ', what now?',
  ', can you look into it?',
];

function fill(frame: string, key: string, value: string): string {
  return frame.replace(`{${key}}`, value);
}

/** `count` distinct texts sampled from a generator, deterministic for the seed. */
function sample(count: number, seed: number, make: (random: () => number) => string): string[] {
  const random = seededRandom(seed);
  const out = new Set<string>();
  for (let tries = 0; out.size < count && tries < count * 20; tries++) out.add(make(random));
  return [...out];
}

function any<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] ?? (items[0] as T);
}

/** Composed hand-over requests. */
export function composedWantsHuman(count = 260): string[] {
  return sample(
    count,
    101,
    (r) =>
      any(moods, r) +
      fill(any(requestFrames, r), 'x', `${any(reachVerbs, r)} ${any(people, r)}${any(topics, r)}`),
  );
}

/** Composed non-requests: department contact details and ordinary tasks in the same frames. */
export function composedNotWantsHuman(count = 560): string[] {
  const info = sample(Math.round(count * 0.2), 104, (r) => fill(any(infoFrames, r), 's', any(subjects, r)));
  const department = sample(Math.round(count * 0.25), 102, (r) =>
    fill(any(departmentFrames, r), 'd', any(departments, r)),
  );
  const wanted = sample(Math.round(count * 0.1), 105, (r) =>
    fill(any(wantedFrames, r), 'w', any(wantedThings, r)),
  );
  const problem = sample(Math.round(count * 0.08), 106, (r) => any(problems, r) + any(problemFollowUps, r));
  const task = sample(count - department.length - info.length - wanted.length - problem.length, 103, (r) =>
    fill(any(taskFrames, r), 't', any(tasks, r)),
  );
  return [...info, ...wanted, ...problem, ...department, ...task];
}
