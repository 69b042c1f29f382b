// A converter that reports how many bytes of a binary body reached the thread, and their sum.
export async function convert(input) {
  const data = input.body.data;
  let sum = 0;
  for (const byte of data) sum += byte;
  const html = `<p>${data.byteLength} bytes, sum ${sum}</p>`;
  return { html, bytes: html.length, truncated: false, warnings: [] };
}
