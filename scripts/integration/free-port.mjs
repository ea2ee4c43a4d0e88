// Prints a TCP port that is free on 127.0.0.1 right now (the OS picks it).
// There is a small window before the caller binds it; integration.sh retries on EADDRINUSE.
import { createServer } from "node:net";

const server = createServer();
server.on("error", (error) => {
  console.error(`free-port: ${error.message}`);
  process.exit(1);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  server.close(() => {
    process.stdout.write(`${typeof address === "object" && address ? address.port : ""}\n`);
  });
});
