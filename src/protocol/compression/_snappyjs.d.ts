// Types for the part of snappyjs (which ships none) that the snappy codec uses.

declare module "snappyjs" {
  /** Compresses `data` as one raw Snappy block, its length varint first. */
  export function compress(data: Uint8Array): Uint8Array;
}
