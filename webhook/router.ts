import type { IncomingMessage, ServerResponse } from "node:http";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves /mutate from its own handler and hands every other path to `rest` (an express app). The
 * apiserver appends `?timeout=10s` to the webhook URL, so only the path is compared.
 */
export function routeMutate(mutate: Listener, rest: Listener): Listener {
  return (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    if (path === "/mutate") mutate(req, res);
    else rest(req, res);
  };
}
