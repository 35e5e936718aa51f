/**
 * Hostile input against the simulator's MQTT broker over real TCP: random bytes (fast-check), malformed
 * packets (lying lengths, a wrong protocol name or level, a password without a username, a PUBLISH before
 * the CONNECT, a second CONNECT, invalid UTF-8), huge client ids and usernames, and floods of CONNECTs.
 * After each: no session opened, the state snapshot unchanged, and the broker still accepts a valid device.
 *
 * The simulator runs in this process here (its broker listens on a free port): a crash of the broker would
 * end the test run, and its state is read directly.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import { Simulator } from "@openremote-effect/simulator"
import * as fc from "effect/FastCheck"
import { connect } from "mqtt"
import * as net from "node:net"

// Every wait is for an event (CONNACK, a close); the timeout only matters on a loaded machine's bad day.
vi.setConfig({ testTimeout: 20_000 })

let simulator: Simulator.RunningSimulator
let port: number
let initial: string

beforeAll(async () => {
  simulator = await Simulator.startSimulator({ port: 0 })
  port = Number(new URL(simulator.mqttUrl!).port)
  initial = JSON.stringify(simulator.control.snapshot())
})
afterAll(() => simulator.close())

// ---------------------------------------------------------------------------------------------------------------
// raw MQTT 3.1.1 packets

const text = (value: string | Buffer) => {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes])
}

const remainingLength = (length: number) => {
  const bytes: Array<number> = []
  do {
    let byte = length % 128
    length = Math.floor(length / 128)
    if (length > 0) byte |= 0x80
    bytes.push(byte)
  } while (length > 0)
  return Buffer.from(bytes)
}

const packet = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), remainingLength(body.length), body])

interface ConnectFields {
  readonly protocol?: string
  readonly level?: number
  readonly clientId?: string | Buffer
  readonly username?: string | Buffer
  readonly password?: string | Buffer
  /** Overrides the flags computed from the fields. */
  readonly flags?: number
}

const connectPacket = (fields: ConnectFields) => {
  const flags = fields.flags ??
    (0x02 | (fields.username === undefined ? 0 : 0x80) | (fields.password === undefined ? 0 : 0x40))
  return packet(
    0x10,
    Buffer.concat([
      text(fields.protocol ?? "MQTT"),
      Buffer.from([fields.level ?? 4, flags, 0, 60]),
      text(fields.clientId ?? "hostile"),
      ...(fields.username === undefined ? [] : [text(fields.username)]),
      ...(fields.password === undefined ? [] : [text(fields.password)])
    ])
  )
}

const publishPacket = (topic: string, payload: string) =>
  packet(0x30, Buffer.concat([text(topic), Buffer.from(payload)]))

const valid = { username: "master:serviceuser", password: "your_secret" }

/**
 * Opens a raw connection, writes `bytes`, and resolves with what the broker answered before it closed the
 * connection or `settled` resolved (the connection is then destroyed). `settled` gets a promise of the
 * broker's first answer.
 */
const hostile = (
  bytes: ReadonlyArray<Buffer>,
  settled: (answered: Promise<void>) => Promise<unknown>
): Promise<Buffer> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let answer = () => {}
    const answered = new Promise<void>((resolve) => (answer = resolve))
    const socket = net.connect(port, "127.0.0.1", () => {
      for (const chunk of bytes) socket.write(chunk)
      void settled(answered).then(() => socket.destroy())
    })
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      answer()
    })
    socket.on("error", () => {})
    socket.once("close", () => resolve(Buffer.concat(chunks)))
  })

/** A valid device connects (so the broker is up), then disconnects; resolves when both are done. */
const validDevice = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const client = connect(simulator.mqttUrl!, { ...valid, clientId: "probe", protocolVersion: 4, reconnectPeriod: 0 })
    client.once("connect", () => client.end(true, {}, () => resolve()))
    client.once("error", (error) => {
      client.end(true)
      reject(error)
    })
  })

/** Waits, a macrotask at a time, until the broker has seen every connection it had close. */
const noSessions = async () => {
  while (simulator.control.sessions.list().length > 0) await new Promise((resolve) => setTimeout(resolve, 1))
}

const expectUntouched = async () => {
  await noSessions()
  expect(JSON.stringify(simulator.control.snapshot())).toBe(initial)
}

describe("malformed packets", () => {
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<Buffer>]> = [
    ["a remaining length that claims 256 MiB", [Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f, 0, 4])]],
    ["a remaining length of five bytes", [Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f])]],
    ["a wrong protocol name", [connectPacket({ ...valid, protocol: "HTTP" })]],
    ["an unknown protocol level", [connectPacket({ ...valid, level: 9 })]],
    ["a password flag without a username", [connectPacket({ password: "your_secret", flags: 0x42 })]],
    ["the reserved flag set", [connectPacket({ ...valid, flags: 0xc3 })]],
    ["a PUBLISH before the CONNECT", [publishPacket("master/hostile/x", "early")]],
    ["a SUBSCRIBE before the CONNECT", [
      packet(0x82, Buffer.concat([Buffer.from([0, 1]), text("#"), Buffer.from([0])]))
    ]],
    ["a username that is not UTF-8", [connectPacket({ username: Buffer.from([0xff, 0xfe, 0x3a]), password: "x" })]],
    ["a client id that is not UTF-8", [connectPacket({ ...valid, clientId: Buffer.from([0xc3, 0x28]) })]],
    ["a second CONNECT on a connection", [connectPacket(valid), connectPacket(valid)]],
    ["a packet type 0", [Buffer.from([0x00, 0x00])]],
    ["a packet type 15", [Buffer.from([0xf0, 0x00])]],
    ["a truncated CONNECT", [connectPacket(valid).subarray(0, 9)]]
  ]
  for (const [name, bytes] of cases) {
    it(`${name}: no session, no change, the broker still serves`, async () => {
      await hostile(bytes, validDevice)
      await expectUntouched()
    })
  }
})

describe("huge fields", () => {
  const huge = "d".repeat(65_535)

  it("a 65,535-character client id with a wrong secret is refused; with the secret it connects", async () => {
    const refused = await hostile(
      [connectPacket({ clientId: huge, username: valid.username, password: "wrong" })],
      () => new Promise(() => {})
    )
    expect([...refused.subarray(0, 4)]).toEqual([0x20, 0x02, 0x00, 0x05])
    await expectUntouched()
    let sessions = 0
    const accepted = await hostile([connectPacket({ clientId: huge, ...valid })], async (answered) => {
      // The CONNACK is written after the session opened.
      await answered
      sessions = simulator.control.sessions.list().length
    })
    expect([...accepted.subarray(0, 4)]).toEqual([0x20, 0x02, 0x00, 0x00])
    expect(sessions).toBe(1)
    await expectUntouched()
    const journaled = simulator.control.journal.entries().filter((entry) => entry.operation === "mqtt")
    expect(journaled.every((entry) => (entry.mqtt?.clientId.length ?? 0) <= 257)).toBe(true)
  })

  it("a 65,535-character username and password are refused", async () => {
    const refused = await hostile(
      [connectPacket({ username: `master:${huge}`, password: huge })],
      () => new Promise(() => {})
    )
    expect([...refused.subarray(0, 4)]).toEqual([0x20, 0x02, 0x00, 0x05])
    await expectUntouched()
  })
})

describe("random bytes", () => {
  it("fast-check: bytes on a fresh connection, and after a valid CONNECT, change nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 512 }), { minLength: 1, maxLength: 4 }),
        async (afterConnect, chunks) => {
          const bytes = [
            ...(afterConnect ? [connectPacket({ ...valid, clientId: "fuzzed" })] : []),
            ...chunks.map(Buffer.from)
          ]
          await hostile(bytes, validDevice)
          await noSessions()
          return JSON.stringify(simulator.control.snapshot()) === initial
        }
      ),
      { numRuns: 150, endOnFailure: true }
    )
  }, 60_000)
})

describe("floods", () => {
  it("300 concurrent CONNECTs with wrong secrets are all refused; the broker still serves", async () => {
    const answers = await Promise.all(
      Array.from(
        { length: 300 },
        (_, index) =>
          hostile(
            [connectPacket({ clientId: `flood-${index}`, username: valid.username, password: `wrong-${index}` })],
            () => new Promise(() => {})
          )
      )
    )
    expect(answers.every((answer) => answer.subarray(0, 4).equals(Buffer.from([0x20, 0x02, 0x00, 0x05])))).toBe(true)
    await validDevice()
    await expectUntouched()
  }, 60_000)

  it("200 concurrent valid devices are 200 sessions, and none once they are gone", async () => {
    const clients = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        new Promise<ReturnType<typeof connect>>((resolve, reject) => {
          const client = connect(simulator.mqttUrl!, {
            ...valid,
            clientId: `device-${index}`,
            protocolVersion: 4,
            reconnectPeriod: 0
          })
          client.once("connect", () => resolve(client))
          client.once("error", reject)
        }))
    )
    expect(simulator.control.sessions.list()).toHaveLength(200)
    await Promise.all(clients.map((client) => new Promise<void>((resolve) => client.end(true, {}, () => resolve()))))
    await expectUntouched()
  }, 60_000)
})
