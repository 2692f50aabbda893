// The one colour decision (kubectl's AllowsColorOutput, plus FORCE_COLOR): colour only on a
// terminal, never with NO_COLOR, TERM=dumb, --no-color or a machine format; FORCE_COLOR forces it.

export interface ColorContext {
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** --no-color was given. */
  noColorFlag?: boolean;
  /** -o json|yaml|name: never coloured. */
  machineFormat?: boolean;
}

export function allowsColor(ctx: ColorContext): boolean {
  if (ctx.machineFormat || ctx.noColorFlag) return false;
  const force = ctx.env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  if (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '') return false;
  if (ctx.env.TERM === 'dumb') return false;
  return ctx.isTTY;
}
