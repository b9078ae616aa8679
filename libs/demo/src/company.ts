import { createRandom, intBetween } from './random';

/**
 * The demo company: a B2B SaaS with a customer-facing product (support chat, ticket triage,
 * screenshot-to-code, document summaries, a voice line), an internal coding agent, and a data
 * platform running nightly batch jobs and model evaluations. Fixed for every seed: the seed only
 * changes the traffic, never who the customers are.
 */

export interface DemoProject {
  slug: string;
  name: string;
}

/** `demo` is the project `seed` creates; the others are created by `demo load` when missing. */
export const DEMO_PROJECTS: readonly DemoProject[] = [
  { slug: 'demo', name: 'Demo' },
  { slug: 'devtools', name: 'Developer tools' },
  { slug: 'data-platform', name: 'Data platform' },
];

export type CustomerPlan = 'enterprise' | 'pro' | 'starter';

export interface DemoCustomer {
  id: string;
  plan: CustomerPlan;
  /** Relative share of the customer-facing traffic (Zipf: a few large accounts, a long tail). */
  weight: number;
  /** The part of the window (0 = start, 1 = end) in which the customer sends traffic. */
  activeFrom: number;
  activeUntil: number;
}

export const DEMO_CUSTOMER_COUNT = 320;
/** The Zipf exponent of customer sizes: the largest account sends about 1/6 of the traffic. */
export const CUSTOMER_ZIPF_EXPONENT = 1.0;

const NAMED_ACCOUNTS = [
  'acme-corp',
  'globex',
  'initech',
  'umbrella-health',
  'hooli',
  'stark-logistics',
  'wayne-fintech',
  'wonka-foods',
  'tyrell-systems',
  'cyberdyne',
  'soylent-co',
  'massive-dynamic',
];
const FIRST = [
  'blue',
  'north',
  'bright',
  'iron',
  'silver',
  'red',
  'green',
  'swift',
  'clear',
  'deep',
  'quiet',
  'bold',
  'golden',
  'sunny',
  'cedar',
  'maple',
  'river',
  'stone',
  'cloud',
  'harbor',
  'pine',
  'lunar',
];
const SECOND = [
  'labs',
  'works',
  'health',
  'logistics',
  'analytics',
  'retail',
  'foods',
  'media',
  'legal',
  'travel',
  'energy',
  'robotics',
  'bank',
  'insure',
  'studio',
  'learning',
  'games',
  'motors',
  'homes',
  'freight',
];

/** The first customers (largest first) are these named enterprise accounts, active all along. */
export const NAMED_ACCOUNT_COUNT = NAMED_ACCOUNTS.length;

let customers: DemoCustomer[] | undefined;

/** The company's customers, largest first. */
export function demoCustomers(): readonly DemoCustomer[] {
  if (customers) return customers;
  const random = createRandom(2026, 'customers');
  const ids = [...NAMED_ACCOUNTS];
  const used = new Set(ids);
  while (ids.length < DEMO_CUSTOMER_COUNT) {
    const base = `${FIRST[intBetween(random, 0, FIRST.length - 1)]}-${SECOND[intBetween(random, 0, SECOND.length - 1)]}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    ids.push(id);
  }
  customers = ids.map((id, rank) => {
    const plan: CustomerPlan = rank < NAMED_ACCOUNTS.length ? 'enterprise' : rank < 80 ? 'pro' : 'starter';
    // The named accounts stay all along; of the rest, some sign up late and some leave.
    const r = random.next();
    const joinsLate = rank >= NAMED_ACCOUNTS.length && r < 0.1;
    const churns = rank >= NAMED_ACCOUNTS.length && r >= 0.1 && r < 0.16;
    return {
      id,
      plan,
      weight: 1 / Math.pow(rank + 1, CUSTOMER_ZIPF_EXPONENT),
      activeFrom: joinsLate ? 0.15 + random.next() * 0.7 : 0,
      activeUntil: churns ? 0.3 + random.next() * 0.65 : 1,
    };
  });
  return customers;
}
