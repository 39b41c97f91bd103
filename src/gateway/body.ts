import type { IncomingMessage } from 'node:http';
import { MoatError } from '../core/errors.js';

/**
 * Reads a request body up to `limit` bytes. A declared Content-Length over the limit is refused
 * before reading; otherwise the byte count is checked chunk by chunk and reading stops with 413
 * as soon as it passes the limit, so an oversized body is never held whole. The rest of the
 * body is discarded by the server after the 413 is sent.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;

    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      chunks.length = 0;
      req.resume();
      reject(tooLarge(limit));
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(
        new MoatError('MOAT_ERR_MALFORMED_REQUEST', 'The request body was cut off.', {
          cause: err,
        }),
      );
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number): MoatError {
  return new MoatError('MOAT_ERR_BODY_TOO_LARGE', `The limit is ${limit} bytes.`);
}
