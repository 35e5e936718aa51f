// Type-checked by scripts/check-packages.mjs with `lib: ["ES2022"]` alone (no DOM) and library checking on: the
// model's and the simulator's declarations need nothing beyond ES2022 and @types/node. (The client's
// requirement, @effect/platform, declares DOM types such as `Storage` itself, so the full consumer adds "DOM".)
import { Catalogue } from "@openremote-effect/model"
import { type RunningSimulator, startSimulator, Tokens } from "@openremote-effect/simulator"

export const start = (): Promise<RunningSimulator> =>
  Tokens.generateKeyPair().then((keyPair) => startSimulator({ port: 0, keyPair }))
export const path: string = Catalogue.getUser.path
