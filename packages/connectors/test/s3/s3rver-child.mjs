// Runs s3rver in its own Node process: s3rver builds ListObjectsV2 continuation tokens with DES,
// which OpenSSL 3 only offers with `--openssl-legacy-provider` (a flag the test workers lack).
// Prints `{"port":…}` once listening; exits when its parent closes stdin.
import S3rver from "s3rver";

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void server.close().then(() => process.exit(0));
});
