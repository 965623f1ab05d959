// The shape of java_client_frames.json, written by scripts/capture_golden.ts.

/** One captured request and its response, as hex, with the tool that sent it. */
export interface Exchange {
  tool: string;
  apiKey: number;
  apiVersion: number;
  request: string;
  response: string;
}
