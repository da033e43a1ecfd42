import type { Server } from "node:net";

/**
 * Starts listening and resolves with the bound port (the real one when `port` is 0).
 * Rejects with a message naming the port when it is taken or not allowed.
 */
export function listen(server: Server, port: number, host?: string): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    const where = `${host ?? "all interfaces"} port ${port}`;
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      const reason =
        err.code === "EADDRINUSE"
          ? `${where} is already in use`
          : err.code === "EACCES"
            ? `${where} needs privileges this process lacks`
            : `cannot listen on ${where}: ${err.message}`;
      reject(new Error(reason, { cause: err }));
    };
    const onListening = () => {
      server.off("error", onError);
      const address = server.address();
      resolve({ port: typeof address === "object" && address !== null ? address.port : port });
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
