// A converter stuck in an endless loop: the pool's time limit must stop it.
export async function convert() {
  for (;;) {
    // spin
  }
}
