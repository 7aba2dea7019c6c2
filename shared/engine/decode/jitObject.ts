import { type ZodMiniObject, ZodMiniType } from 'zod/mini';
import * as core from 'zod/v4/core';

/**
 * zod/mini's object with the classic API's parser. `z.object` from zod/mini parses with zod's
 * generic object walk, while classic `z.object` compiles a parser per shape (zod's
 * `$ZodObjectJIT`, built on the core's public `$constructor`): on the ride records that is
 * the difference between 0.27 and 0.42 of the core bench's floor (`npm run bench`, measured
 * side by side). Record schemas run once per record, so they use this; spec schemas, parsed
 * once per cold start, keep `z.object`. Same checks, same issues and messages: only how the
 * object's keys are walked differs.
 */
const ZodMiniObjectJIT = /* @__PURE__ */ core.$constructor(
  'ZodMiniObjectJIT',
  (inst: core.$ZodObject, def: core.$ZodObjectDef) => {
    // Initialized as zod/mini initializes its own object (ZodMiniObject: core, then ZodMiniType),
    // with the compiling core class in place of the walking one.
    initAs(core.$ZodObjectJIT, inst, def);
    initAs(ZodMiniType, inst, def);
  },
);

/** Runs a zod class's initializer on an instance (their `init` are typed as assertions). */
function initAs(zodClass: unknown, inst: unknown, def: unknown): void {
  (zodClass as { init(inst: unknown, def: unknown): void }).init(inst, def);
}

/** A zod/mini object schema with a compiled parser, for record schemas (see above). */
export function jitObject<const S extends core.$ZodLooseShape>(shape: S): ZodMiniObject<S, core.$strip> {
  return new ZodMiniObjectJIT({ type: 'object', shape }) as unknown as ZodMiniObject<S, core.$strip>;
}
