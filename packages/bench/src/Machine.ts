/**
 * The machine a benchmark ran on: CPU model and cores, memory, operating system and Node.js version.
 *
 * @since 0.1.0
 */
import * as os from "node:os"

/**
 * @since 0.1.0
 * @category models
 */
export interface Machine {
  readonly cpuModel: string
  /** Logical cores available to Node.js (`os.availableParallelism()`). */
  readonly cores: number
  readonly memoryBytes: number
  /** `platform release arch`, e.g. `linux 6.8.0 x64`. */
  readonly os: string
  /** `process.version`, e.g. `v20.20.2`. */
  readonly node: string
}

/**
 * The machine this process runs on.
 *
 * @since 0.1.0
 * @category constructors
 */
export const current = (): Machine => ({
  cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
  cores: os.availableParallelism(),
  memoryBytes: os.totalmem(),
  os: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version
})

/**
 * One line: `Intel(R) Xeon(R) Processor, 2 cores, 23.5 GiB, linux 6.8.0 x64`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const describe = (machine: Machine): string =>
  `${machine.cpuModel}, ${machine.cores} cores, ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB, ${machine.os}`
