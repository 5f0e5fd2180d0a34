// Snapshots of the widget's rendered markup: the shadow DOM as indented
// HTML (attributes sorted, text quoted with runs of spaces collapsed, styles
// left out), compared with the reviewed files in tests/e2e/snapshots/.
// Labels, fieldsets, ARIA links and ids are the widget's accessibility
// contract; a change to them must be seen and reviewed, as with insta.
// EFA_UPDATE_SNAPSHOTS=1 rewrites the files (review them with `git diff`).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const SNAPSHOTS = fileURLToPath(new URL('./snapshots/', import.meta.url));

/** The markup under the first `<efa-form>`'s shadow root, one node a line. */
export function renderedMarkup(page, origin) {
  return page.evaluate((origin) => {
    const lines = [];
    const quote = (value) => value.replaceAll(origin, '').replaceAll('&', '&amp;').replaceAll('"', '&quot;');
    const walk = (node, depth) => {
      const indent = '  '.repeat(depth);
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) {
          // Quoted, spaces kept: "Ändern" followed by " Name" is not "ÄndernName".
          const text = child.textContent.replace(/\s+/g, ' ');
          if (text.trim()) lines.push(`${indent}${JSON.stringify(text)}`);
        } else if (child.nodeType === Node.ELEMENT_NODE && !['STYLE', 'LINK'].includes(child.tagName)) {
          const attributes = [...child.attributes]
            .map((a) => (a.value === '' ? a.name : `${a.name}="${quote(a.value)}"`))
            .sort();
          lines.push(`${indent}<${[child.tagName.toLowerCase(), ...attributes].join(' ')}>`);
          walk(child, depth + 1);
        }
      }
    };
    walk(document.querySelector('efa-form').shadowRoot, 0);
    return `${lines.join('\n')}\n`;
  }, origin);
}

/** Compares `markup` with the snapshot `name`; throws naming the first difference. */
export async function expectSnapshot(name, markup) {
  const file = `${SNAPSHOTS}${name}.html`;
  if (process.env.EFA_UPDATE_SNAPSHOTS === '1') {
    await mkdir(SNAPSHOTS, { recursive: true });
    await writeFile(file, markup);
    return;
  }
  const expected = await readFile(file, 'utf8').catch(() => null);
  if (expected === null) throw new Error(`no snapshot ${file} (EFA_UPDATE_SNAPSHOTS=1 writes it)`);
  if (expected === markup) return;
  const want = expected.split('\n');
  const got = markup.split('\n');
  const line = want.findIndex((text, i) => text !== got[i]);
  const at = line === -1 ? want.length : line;
  throw new Error(
    `markup of ${name} differs from ${file} at line ${at + 1}:\n  expected: ${want[at] ?? '(end)'}\n  rendered: ${got[at] ?? '(end)'}\n` +
      '(EFA_UPDATE_SNAPSHOTS=1 rewrites it; review the diff)',
  );
}
