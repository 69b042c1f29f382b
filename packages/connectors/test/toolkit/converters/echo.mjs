// A converter that answers at once, to show the pool goes on after a failure.
export async function convert(input) {
  const html = `<p>${input.body.text ?? ""}</p>`;
  return { html, title: input.title, bytes: html.length, truncated: false, warnings: [] };
}
