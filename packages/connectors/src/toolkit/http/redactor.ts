/** Replaces every known secret, and its URL-encoded form, with `[redacted]`. */
export class Redactor {
  constructor(private readonly secrets: () => readonly string[]) {}

  redact(text: string): string {
    let out = text;
    const forms = new Set<string>();
    for (const secret of this.secrets()) {
      if (secret === "") continue;
      forms.add(secret);
      forms.add(encodeURIComponent(secret));
    }
    // Longest first, so a secret that contains another is replaced whole.
    for (const form of [...forms].sort((a, b) => b.length - a.length))
      out = out.split(form).join("[redacted]");
    return out;
  }
}
