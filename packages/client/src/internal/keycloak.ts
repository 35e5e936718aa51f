/**
 * Keycloak's token endpoint: the form-encoded token requests of the client-credentials, password and
 * refresh-token grants, and their responses read as tokens or `AuthenticationError`s. The caching and the
 * single flight are `TokenProvider.make`'s; this module only makes one exchange per call.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ParseMessage } from "@openremote-effect/model"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as OpenRemoteConfig from "../OpenRemoteConfig.js"
import { AuthenticationError } from "../OpenRemoteError.js"
import type { AccessToken, ClientCredentialsOptions, PasswordOptions } from "../TokenProvider.js"
import { collectSecrets, describeCause, excerpt, scrub, type Secret } from "./text.js"
import { tokenUrl as makeTokenUrl, withoutUserInfo } from "./url.js"

const NonNegative = Schema.Number.pipe(Schema.nonNegative())

/** A successful token response of Keycloak's token endpoint (the fields the client reads). */
const TokenResponse = Schema.Struct({
  access_token: Schema.NonEmptyString,
  expires_in: Schema.optional(NonNegative),
  refresh_token: Schema.optional(Schema.String),
  refresh_expires_in: Schema.optional(NonNegative),
  token_type: Schema.optional(Schema.String)
})

interface TokenResponse extends Schema.Schema.Type<typeof TokenResponse> {}

const KeycloakError = Schema.parseJson(Schema.Struct({
  error: Schema.optional(Schema.String),
  error_description: Schema.optional(Schema.String)
}))

const defaultTimeout = Duration.seconds(10)

const requestToken = (
  client: HttpClient.HttpClient,
  url: string,
  form: Readonly<Record<string, string>> & { readonly grant_type: string },
  secrets: ReadonlyArray<Secret>,
  timeout: Duration.DurationInput
): Effect.Effect<TokenResponse, AuthenticationError> => {
  const grant = form.grant_type
  const shown = { operation: grant, method: "POST", url: withoutUserInfo(url) }
  const fail = (fields: Omit<ConstructorParameters<typeof AuthenticationError>[0], keyof typeof shown>) =>
    Effect.fail(new AuthenticationError({ ...shown, ...fields }))
  return Effect.gen(function*() {
    const response = yield* client.execute(
      HttpClientRequest.post(url).pipe(HttpClientRequest.acceptJson, HttpClientRequest.bodyUrlParams(form))
    ).pipe(
      Effect.catchAll((error) =>
        fail({
          reason: `the token endpoint could not be reached: ${scrub(describeCause(error.cause ?? error), secrets)}`
        })
      )
    )
    const text = yield* response.text.pipe(
      Effect.catchAll(() => fail({ status: response.status, reason: "the token response could not be read" }))
    )
    if (response.status < 200 || response.status > 299) {
      const keycloak = Option.getOrUndefined(Schema.decodeUnknownOption(KeycloakError)(text))
      return yield* fail({
        status: response.status,
        error: keycloak?.error === undefined ? undefined : scrub(keycloak.error, secrets),
        errorDescription: keycloak?.error_description === undefined
          ? undefined
          : scrub(keycloak.error_description, secrets),
        body: excerpt(text, secrets),
        reason: "the token endpoint refused the request"
      })
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return yield* fail({ status: response.status, reason: "the token response is not JSON" })
    }
    return yield* Schema.decodeUnknown(TokenResponse)(json, { errors: "all" }).pipe(
      Effect.catchTag("ParseError", (error) =>
        fail({
          status: response.status,
          reason: `the token response is malformed: ${
            scrub(ParseMessage.format(error), [...secrets, ...collectSecrets(json)])
          }`
        }))
    )
  }).pipe(
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () =>
        new AuthenticationError({
          ...shown,
          reason: `the token endpoint did not answer within ${Duration.format(timeout)}`
        })
    }),
    Effect.withSpan("TokenProvider.requestToken", {
      attributes: { "openremote.grant_type": grant, "url.full": shown.url }
    })
  )
}

const accessTokenOf = (response: TokenResponse): AccessToken => ({
  accessToken: Redacted.make(response.access_token),
  expiresIn: response.expires_in === undefined ? undefined : Duration.seconds(response.expires_in)
})

/**
 * The token request of a service user (the client-credentials grant), as an effect that makes one request
 * each time it runs.
 *
 * @internal
 */
export const clientCredentialsGrant = (
  options: ClientCredentialsOptions
): Effect.Effect<Effect.Effect<AccessToken, AuthenticationError>, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const url = makeTokenUrl(options.keycloakUrl, options.realm)
    const fetch = Effect.suspend(() =>
      requestToken(
        client,
        url,
        {
          grant_type: "client_credentials",
          client_id: options.clientId,
          client_secret: Redacted.value(options.clientSecret)
        },
        [options.clientSecret],
        options.timeout ?? defaultTimeout
      )
    )
    return Effect.map(fetch, accessTokenOf)
  })

/**
 * The token request of a person: the password grant, then the refresh-token grant while the refresh token
 * of the last grant is usable (for `lifetime` of its `refresh_expires_in`), falling back to the password
 * when the refresh is refused.
 *
 * @internal
 */
export const passwordGrant = (
  options: PasswordOptions,
  lifetime: (refreshExpiresIn: Duration.Duration) => Duration.Duration
): Effect.Effect<Effect.Effect<AccessToken, AuthenticationError>, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const url = makeTokenUrl(options.keycloakUrl, options.realm)
    const timeout = options.timeout ?? defaultTimeout
    const clientFields: Record<string, string> = {
      client_id: options.clientId ?? OpenRemoteConfig.defaultPasswordClientId,
      ...(options.clientSecret === undefined ? {} : { client_secret: Redacted.value(options.clientSecret) })
    }
    const secrets: ReadonlyArray<Secret> = [
      options.password,
      options.clientSecret
    ]
    /** The refresh token of the last grant, and until when (epoch ms) it may be used. */
    const refresh = yield* Ref.make(
      Option.none<{ readonly token: Redacted.Redacted<string>; readonly usableUntil: number }>()
    )

    const grant = (
      form: Readonly<Record<string, string>> & { readonly grant_type: string },
      extra: ReadonlyArray<Secret>
    ) =>
      Effect.gen(function*() {
        const startedAt = yield* Clock.currentTimeMillis
        const response = yield* requestToken(client, url, { ...clientFields, ...form }, [...secrets, ...extra], timeout)
        yield* Ref.set(
          refresh,
          response.refresh_token === undefined ? Option.none() : Option.some({
            token: Redacted.make(response.refresh_token),
            usableUntil: response.refresh_expires_in === undefined || response.refresh_expires_in === 0
              ? Number.POSITIVE_INFINITY
              : startedAt + Duration.toMillis(lifetime(Duration.seconds(response.refresh_expires_in)))
          })
        )
        return accessTokenOf(response)
      })

    const passwordGrant = grant({
      grant_type: "password",
      username: options.username,
      password: Redacted.value(options.password)
    }, [])

    const fetch = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const current = yield* Ref.get(refresh)
      if (Option.isSome(current) && now < current.value.usableUntil) {
        const refreshToken = current.value.token
        return yield* grant({ grant_type: "refresh_token", refresh_token: Redacted.value(refreshToken) }, [
          refreshToken
        ]).pipe(
          Effect.catchAll((error) =>
            Ref.set(refresh, Option.none()).pipe(
              Effect.zipRight(
                Effect.logDebug(`the refresh token was refused, signing in with the password: ${error.message}`)
              ),
              Effect.zipRight(passwordGrant)
            )
          )
        )
      }
      return yield* passwordGrant
    })

    return fetch
  })
