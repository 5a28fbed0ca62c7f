/** The JSON API as a client calls it over a real socket: status, headers, text and the body parsed when JSON. */
import type { ServeProcess } from './serve.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function call(
  serve: ServeProcess,
  path: string,
  init: RequestInit & { secret?: string } = {},
): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.secret) headers.set('authorization', `Bearer ${init.secret}`);
  const response = await fetch(`${serve.base}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null; // a report body, not JSON
  }
}
