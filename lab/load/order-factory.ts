/**
 * Order bodies for the built-in load. The seed repository's Artillery test posts `{"order_id": ...}`; a
 * courier booking needs a little more, so each order carries a customer, items and an address too, all
 * drawn from a seeded Random so a seed replays the same orders. A body is a few hundred bytes.
 */
import type { Random } from '../time/random.js';

export interface OrderItem {
  sku: string;
  quantity: number;
  /** Unit price in cents. */
  price_cents: number;
}

export interface Order {
  order_id: string;
  customer: { id: string; name: string; email: string };
  items: OrderItem[];
  address: { street: string; city: string; postcode: string; country: string };
}

const FIRST = ['Alice', 'Max', 'Priya', 'Kenji', 'Olu', 'Sofia', 'Liam', 'Mei', 'Noah', 'Ava'];
const LAST = ['Walker', 'Nguyen', 'Okafor', 'Schmidt', 'Rossi', 'Tanaka', 'Silva', 'Brown', 'Khan', 'Lopez'];
const STREETS = ['George St', 'Collins St', 'Queen St', 'Hay St', 'King William St', 'Elizabeth St'];
const CITIES: readonly [string, string][] = [
  ['Sydney', '2000'],
  ['Melbourne', '3000'],
  ['Brisbane', '4000'],
  ['Perth', '6000'],
  ['Adelaide', '5000'],
  ['Hobart', '7000'],
];

function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random.next() * list.length)]!;
}

function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random.next() * (max - min + 1));
}

/** Returns a function that makes order 1, 2, 3, ... of a run; ids are unique within the run. */
export function createOrderFactory(random: Random): () => Order {
  let seq = 0;
  const run = random.seed.toString(16).padStart(8, '0');
  return () => {
    seq++;
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    const customerNo = int(random, 1, 99_999);
    const [city, postcode] = pick(random, CITIES);
    const items: OrderItem[] = [];
    const lines = int(random, 1, 3);
    for (let i = 0; i < lines; i++) {
      items.push({
        sku: `SKU-${int(random, 1000, 9999)}`,
        quantity: int(random, 1, 5),
        price_cents: int(random, 199, 19_999),
      });
    }
    return {
      order_id: `ord-${run}-${String(seq).padStart(6, '0')}`,
      customer: {
        id: `cus-${String(customerNo).padStart(5, '0')}`,
        name: `${first} ${last}`,
        email: `${first}.${last}${customerNo}@example.com`.toLowerCase(),
      },
      items,
      address: { street: `${int(random, 1, 400)} ${pick(random, STREETS)}`, city, postcode, country: 'AU' },
    };
  };
}
