/**
 * Go programs the benchmarks build (the consumer benchmark's Go peers, the delay proxy): each
 * is built once per content of its files, in its own folder under
 * `${KAFKIT_STATE:-/tmp/kafkit-bench}/go`, and the binary is reused while nothing changes.
 *
 * @module
 */

const STATE = Deno.env.get("KAFKIT_STATE") ?? "/tmp/kafkit-bench";

/** Runs `go args` in `cwd` and returns what it printed; a failure throws with its stderr. */
export async function go(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command("go", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  if (!out.success) throw new Error(`go ${args.join(" ")} failed: ${text(out.stderr)}`);
  return text(out.stdout);
}

/**
 * The binary of the program made of `files` (file name to source, `go.mod` included), built
 * unless a build of the same files is cached. `tidy` runs `go mod tidy` first, fetching the
 * modules go.mod requires through the Go module proxy.
 */
export async function goBinary(
  name: string,
  files: Record<string, string>,
  options: { tidy?: boolean } = {},
): Promise<string> {
  const all = Object.entries(files).sort(([a], [b]) => a < b ? -1 : 1)
    .map(([file, text]) => `${file}\n${text}`).join("\n");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(all));
  const tag = [...new Uint8Array(digest).slice(0, 6)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  const dir = `${STATE}/go/${name}-${tag}`;
  const bin = `${dir}/${name}`;
  try {
    await Deno.stat(bin);
    return bin;
  } catch {
    // not built yet
  }
  await Deno.mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${file}`, text);
  }
  if (options.tidy) await go(["mod", "tidy"], dir);
  await go(["build", "-o", bin, "."], dir);
  return bin;
}
