// A socket factory a test can "crash": every socket it opened is closed and new connects
// fail, so the client vanishes without a goodbye (no LeaveGroup), as a killed process would.

import { type Connect, ConnectionError, type Socket } from "../mod.ts";
import { detectConnect } from "../src/transport/socket.ts";

/** A `connect` option plus `kill()`. */
export interface Killable {
  connect: Connect;
  kill(): void;
}

/** Makes a killable socket factory around the runtime's own. */
export function killable(): Killable {
  const open = new Set<Socket>();
  let dead = false;
  return {
    connect: async (options) => {
      if (dead) throw new ConnectionError("killed");
      const socket = await (await detectConnect())(options);
      if (dead) {
        socket.close();
        throw new ConnectionError("killed");
      }
      open.add(socket);
      return socket;
    },
    kill() {
      dead = true;
      for (const s of open) s.close();
      open.clear();
    },
  };
}
