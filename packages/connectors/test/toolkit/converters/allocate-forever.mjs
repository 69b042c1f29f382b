// A converter that allocates without limit: the thread's heap cap must stop it.
export async function convert() {
  const hoard = [];
  for (;;) hoard.push(new Array(1_000_000).fill(hoard.length));
}
