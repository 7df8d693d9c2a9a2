import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/**
 * Every SDK here must run offline. This watches for client sockets (TCP or pipe, which covers
 * http, https and fetch) and destroys any before it connects, recording the attempt so the run
 * can fail loudly. Returns a function that stops watching and lists the attempts.
 */
export function forbidNetwork(): () => string[] {
  const attempts: string[] = [];
  const onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    attempts.push(new Error('client socket opened').stack ?? 'client socket opened');
    socket.destroy(new Error('the benchmark is offline: no SDK may open a connection'));
  };
  subscribe('net.client.socket', onSocket);
  return () => {
    unsubscribe('net.client.socket', onSocket);
    return attempts;
  };
}
