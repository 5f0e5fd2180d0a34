// The generated forms of the benchmarks: the same generator and seed as the
// native benchmark (engine/benches/support.rs), so the numbers compare.
// About half the fields have visible/required conditions over one to three
// earlier fields, many of them on one hub field (f0).

const MASK = (1n << 64n) - 1n;
class Lcg {
  constructor(seed) { this.state = BigInt(seed); }
  next(bound) {
    this.state = (this.state * 6364136223846793005n + 1442695040888963407n) & MASK;
    return Number((this.state >> 33n) % BigInt(bound));
  }
}
const KINDS = ['text', 'integer', 'choice', 'boolean', 'date'];
export const kindOf = (i) => (i === 0 ? 'choice' : KINDS[i % KINDS.length]);
function testOf(i) {
  switch (kindOf(i)) {
    case 'text': return `!is_empty(f${i})`;
    case 'integer': return `f${i} > 5`;
    case 'choice': return `f${i} == 'a'`;
    case 'boolean': return `f${i}`;
    default: return `f${i} < date('2000-01-01')`;
  }
}
export function definition(size) {
  const rng = new Lcg(42);
  const perStep = Math.ceil(size / 10);
  const steps = [];
  for (let step = 0; step < 10; step += 1) {
    const fields = [];
    for (let i = step * perStep; i < Math.min((step + 1) * perStep, size); i += 1) {
      const field = { id: `f${i}`, type: kindOf(i), label: `Feld ${i}` };
      if (kindOf(i) === 'choice') field.options = ['a', 'b', 'c'];
      if (i > 0 && rng.next(2) === 0) {
        const terms = [];
        if (rng.next(3) === 0) terms.push(testOf(0));
        const count = 1 + rng.next(3 - Math.min(terms.length, 2));
        for (let t = 0; t < count; t += 1) terms.push(testOf(rng.next(i)));
        const condition = terms.join(rng.next(2) === 0 ? ' && ' : ' || ');
        field[rng.next(2) === 0 ? 'visible' : 'required'] = condition;
      }
      fields.push(field);
    }
    steps.push({ id: `s${step}`, title: `Schritt ${step}`, fields });
  }
  return { id: `generated-${size}`, version: '1.0.0', title: 'Generated', steps };
}
export function valueFor(i) {
  return { text: 'Wert', integer: 7, choice: 'a', boolean: true }[kindOf(i)] ?? '1990-05-17';
}
/** A field nothing reads: the last one, since conditions only name earlier fields. */
export function leafPath(size) {
  return `/f${size - 1}`;
}
