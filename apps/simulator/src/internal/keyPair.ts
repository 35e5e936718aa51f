/**
 * A fresh RS256 key pair from WebCrypto, with nothing else loaded: the CLI starts generating it first thing
 * (generation runs in libuv's thread pool, about 200 ms) and loads the simulator's modules meanwhile, so the
 * first token does not wait for it. The same parameters as `jose.generateKeyPair("RS256")`.
 *
 * @internal
 */

/**
 * @internal
 */
export const generateRs256KeyPair = (): Promise<{ readonly publicKey: CryptoKey; readonly privateKey: CryptoKey }> =>
  crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) },
    true,
    ["sign", "verify"]
  )
