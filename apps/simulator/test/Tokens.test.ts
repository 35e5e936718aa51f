import * as Either from "effect/Either"
import { beforeAll, describe, expect, it } from "vitest"
import * as Tokens from "../src/Tokens.js"

const issuer = "http://localhost/auth/realms/master"
const now = 1_700_000_000_000
const seconds = now / 1000

let keyPair: Tokens.KeyPair
beforeAll(async () => {
  keyPair = await Tokens.generateKeyPair()
})

const kindOf = (result: Either.Either<Tokens.Claims, Tokens.Rejected> | undefined) =>
  result !== undefined && Either.isLeft(result) ? result.left.kind : result === undefined ? "not cached" : "valid"

describe("Tokens", () => {
  it("answers a verified token again from its cache, checking the time and the issuer anew", async () => {
    const tokens = Tokens.make({ keyPair })
    const token = await tokens.sign({ iss: issuer, sub: "u1", iat: seconds, exp: seconds + 60 })
    expect(tokens.verifyCached(token, { issuer, now })).toBeUndefined()
    expect(kindOf(await tokens.verify(token, { issuer, now }))).toBe("valid")
    expect(kindOf(tokens.verifyCached(token, { issuer, now }))).toBe("valid")
    expect(kindOf(tokens.verifyCached(token, { issuer, now: now + 60_000 }))).toBe("expired")
    expect(kindOf(tokens.verifyCached(token, { issuer: `${issuer}x`, now }))).toBe("wrong-issuer")
  })

  it("does not take a tampered token for a cached one with the same signature", async () => {
    const tokens = Tokens.make({ keyPair })
    const token = await tokens.sign({ iss: issuer, sub: "u1", iat: seconds, exp: seconds + 60 })
    await tokens.verify(token, { issuer, now })
    const [header, payload, signature] = token.split(".")
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, unknown>
    const forged = `${header}.${
      Buffer.from(JSON.stringify({ ...claims, sub: "admin" })).toString("base64url")
    }.${signature}`
    expect(forged.slice(-43)).toBe(token.slice(-43))
    expect(tokens.verifyCached(forged, { issuer, now })).toBeUndefined()
    expect(kindOf(await tokens.verify(forged, { issuer, now }))).toBe("invalid")
    expect(kindOf(tokens.verifyCached(token, { issuer, now }))).toBe("valid")
  })

  it("gives each refusal of a token never verified before its kind", async () => {
    const tokens = Tokens.make({ keyPair })
    const sign = (claims: Tokens.Claims) => tokens.sign({ iss: issuer, sub: "u1", iat: seconds, ...claims })
    const expired = await sign({ exp: seconds - 1 })
    const early = await sign({ exp: seconds + 60, nbf: seconds + 30 })
    const other = await sign({ exp: seconds + 60, iss: "http://elsewhere/realms/master" })
    const foreign = await Tokens.make().sign({ iss: issuer, sub: "u1", iat: seconds, exp: seconds + 60 })
    expect(kindOf(await tokens.verify(expired, { issuer, now }))).toBe("expired")
    expect(kindOf(await tokens.verify(early, { issuer, now }))).toBe("not-yet-valid")
    expect(kindOf(await tokens.verify(other, { issuer, now }))).toBe("wrong-issuer")
    expect(kindOf(await tokens.verify(foreign, { issuer, now }))).toBe("invalid")
    expect(kindOf(await tokens.verify("not.a.token", { issuer, now }))).toBe("invalid")
  })
})
