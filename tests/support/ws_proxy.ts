/**
 * A WebSocket-to-TCP proxy like Neon's own, so `@neondatabase/serverless` can reach the
 * machine's PostgreSQL server in tests: `ws://127.0.0.1:PORT/v1?address=host:port`.
 */
export interface WsProxy {
  /** What `neonWsProxy` takes: `127.0.0.1:PORT/v1`. */
  address: string;
  close(): Promise<void>;
}

/** Starts the proxy on a free port; it only dials loopback addresses. */
export function startWsProxy(): WsProxy {
  const sockets = new Set<Deno.TcpConn>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const target = new URL(req.url).searchParams.get("address") ?? "";
    const [hostname, port] = target.split(":");
    if (hostname !== "127.0.0.1" && hostname !== "localhost") return new Response("loopback only", { status: 403 });
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    const pending: Uint8Array[] = [];
    let tcp: Deno.TcpConn | undefined;
    socket.onmessage = (event) => {
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      if (tcp) tcp.write(bytes).catch(() => socket.close());
      else pending.push(bytes);
    };
    socket.onclose = () => closeQuietly(tcp);
    socket.onopen = async () => {
      try {
        tcp = await Deno.connect({ hostname, port: Number(port) });
        sockets.add(tcp);
        for (const bytes of pending.splice(0)) await tcp.write(bytes);
        for await (const chunk of tcp.readable) {
          if (socket.readyState !== WebSocket.OPEN) break;
          socket.send(chunk);
        }
      } catch {
        // the peer went away: closing below is all there is to do
      } finally {
        if (tcp) sockets.delete(tcp);
        if (socket.readyState === WebSocket.OPEN) socket.close();
      }
    };
    return response;
  });
  return {
    address: `127.0.0.1:${server.addr.port}/v1`,
    async close() {
      for (const s of sockets) closeQuietly(s);
      await server.shutdown();
    },
  };
}

function closeQuietly(conn: Deno.TcpConn | undefined) {
  try {
    conn?.close();
  } catch {
    // already closed by the other side
  }
}
