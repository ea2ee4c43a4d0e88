/**
 * Which stages of a Dockerfile the stage a build returns is made of: the target (else the last
 * stage) and, through `FROM <stage>`, the stages it starts from, earliest first. BuildKit's
 * dockerfile2llb resolves a FROM that names an earlier stage to that stage (convert.go).
 */

/** A Dockerfile stage as the models read it: its FROM and its `AS` name (lowercase). */
export interface NamedStage {
  name?: string;
  from: string;
}

/** The chain of stages behind `target` (or the last stage), earliest first. */
export function stageChain<S extends NamedStage>(stages: S[], target?: string): S[] {
  const byName = new Map(stages.flatMap((s) => (s.name ? [[s.name, s] as const] : [])));
  const chain: S[] = [];
  let stage = target ? byName.get(target.toLowerCase()) : stages[stages.length - 1];
  while (stage && !chain.includes(stage)) {
    chain.unshift(stage);
    stage = byName.get(stage.from.toLowerCase());
  }
  return chain;
}
