// Entry point placeholder; the composition root is built in src/cli/program.ts.
export async function main(_argv: string[]): Promise<void> {}
