/**
 * The simulator's MQTT broker (aedes, MQTT 3.1 and 3.1.1 over TCP), whose authenticated connections are the
 * users' sessions (USER-API.md §4 *Sessions*), as on the real Manager's broker:
 *
 * - A CONNECT with username `{realm}:{clientId}` and the client's secret as password runs the
 *   client-credentials grant of the simulator's token endpoint and verifies the token it gets, as an API
 *   request's token is verified. No `:` (or nothing before it), a wrong secret, an unknown realm or client, a
 *   disabled user → refused with CONNACK return code 5 (not authorized). No password → an anonymous guest
 *   connection, which belongs to no user and may neither publish nor subscribe.
 * - An authenticated connection is a session of its user in the store from before its CONNACK: `ID` the
 *   connection id (Netty's long channel id form), `startTimeMillis` when the TCP connection was accepted
 *   (simulator clock), `remoteAddress` `/127.0.0.1:51234`. The session ends when the connection closes;
 *   ending the session in the store (`disconnect_user_session`, the control plane, deleting or disabling the
 *   user, `reset`) closes the connection.
 * - Publish and subscribe only within the connection's own topic space `{realm}/{MQTT client id}/#` (the
 *   real broker's topic convention); a refused subscription gets the failure return code (128), a refused
 *   publish closes the connection. The asset topics of the real broker are not simulated.
 *
 * Every CONNECT (accepted or refused) and every disconnect of an accepted connection is journaled; the
 * password never is.
 *
 * @internal
 */
import type { AuthenticateError, Client } from "aedes"
import { Aedes } from "aedes"
import * as Either from "effect/Either"
import { randomBytes } from "node:crypto"
import * as net from "node:net"
import type * as Journal from "../Journal.js"
import { authenticate as authenticateToken } from "../plugins/auth.js"
import { type KeycloakPluginOptions, token } from "../plugins/keycloak.js"
import type { UserRecord } from "../Store.js"
import { journalCaller } from "./fastify.js"
import type { State } from "./state.js"
import { keycloakOf } from "./state.js"

/**
 * A listening broker.
 *
 * @internal
 */
export interface Broker {
  /** `mqtt://host:port`. */
  readonly url: string
  readonly port: number
  /** Closes every connection and stops listening. */
  readonly close: () => Promise<void>
}

/** What the broker knows of one TCP connection. */
interface Connection {
  readonly socket: net.Socket
  /** When the connection was accepted, simulator clock. */
  readonly createdAt: number
  readonly remoteAddress: string
  /** Set once the CONNECT is accepted. */
  accepted?: {
    readonly clientId: string
    readonly username: string
    /** The realm of an authenticated connection; undefined for a guest. */
    readonly realm: string | undefined
    readonly caller: Journal.Caller | null
  }
  /** The id of its session while the session is open. */
  sessionId?: string | undefined
}

/** CONNACK return code 5 "not authorized": what the real broker answers a refused MQTT 3.1.1 CONNECT. */
const notAuthorized = 5

/** Journaled texts are cut to this many characters (client ids and usernames may be up to 65535 long). */
const journalLimit = 256

const cut = (text: string) => (text.length > journalLimit ? `${text.slice(0, journalLimit)}…` : text)

/** `/address:port`, as Java prints a socket address (an IPv4-mapped IPv6 address as IPv4). */
const remoteAddressOf = (socket: net.Socket): string => {
  const address = (socket.remoteAddress ?? "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "")
  return `/${address}:${socket.remotePort ?? 0}`
}

/** Connection ids in the form of Netty's `ChannelId.asLongText()`, which the real broker uses. */
const connectionIds = () => {
  const machine = randomBytes(8).toString("hex")
  const pid = (process.pid >>> 0).toString(16).padStart(8, "0").slice(-8)
  let sequence = 0
  return (): string => {
    sequence = (sequence + 1) >>> 0
    return [
      machine,
      pid,
      sequence.toString(16).padStart(8, "0"),
      Date.now().toString(16).padStart(16, "0"),
      randomBytes(4).toString("hex")
    ].join("-")
  }
}

type Outcome =
  | { readonly _tag: "Guest" }
  | { readonly _tag: "Refused"; readonly reason: string }
  | {
    readonly _tag: "User"
    readonly realm: string
    readonly user: UserRecord
    readonly caller: Journal.Caller | null
  }

/** `ActiveMQORSecurityManager.authenticate`: the client-credentials grant, then the token's verification. */
const authenticateConnect = async (
  keycloak: KeycloakPluginOptions,
  username: string | undefined,
  password: Buffer | undefined
): Promise<Outcome> => {
  if (password === undefined) return { _tag: "Guest" }
  const colon = username?.indexOf(":") ?? -1
  if (username === undefined || colon <= 0) return { _tag: "Refused", reason: "the username is not {realm}:{clientId}" }
  const realm = username.slice(0, colon)
  const granted = await token(keycloak, realm, {
    grant_type: "client_credentials",
    client_id: username.slice(colon + 1),
    client_secret: password.toString("utf8")
  }, undefined)
  if (Either.isLeft(granted)) return { _tag: "Refused", reason: `${granted.left.error}: ${granted.left.description}` }
  const verified = await authenticateToken(
    keycloak.authentication,
    realm,
    `Bearer ${granted.right.tokens.access_token}`
  )
  if (Either.isLeft(verified) || verified.right === null) {
    return { _tag: "Refused", reason: Either.isLeft(verified) ? verified.left : "no caller" }
  }
  return { _tag: "User", realm, user: granted.right.user, caller: journalCaller(verified.right) }
}

/** Whether `topic` (a topic name or filter) lies in the connection's own topic space `{realm}/{clientId}/#`. */
const ownTopic = (connection: Connection | undefined, clientId: string, topic: string): boolean => {
  const realm = connection?.accepted?.realm
  if (realm === undefined) return false
  const levels = topic.split("/")
  return levels.length >= 2 && levels[0] === realm && levels[1] === clientId
}

/**
 * Starts the broker on `host:port` (0 picks a free port).
 *
 * @internal
 */
export const startBroker = async (
  state: State,
  options: { readonly host: string; readonly port: number; readonly urlHost: string }
): Promise<Broker> => {
  const connections = new Map<net.Socket, Connection>()
  const nextId = connectionIds()
  const keycloak = keycloakOf(state)
  const connectionOf = (
    client: Client | null
  ) => (client === null ? undefined : connections.get(client.conn as net.Socket))

  const journal = (
    connection: Connection,
    event: "CONNECT" | "DISCONNECT",
    fields: {
      readonly clientId: string
      readonly username: string
      readonly caller: Journal.Caller | null
      readonly status: number
      readonly reason?: string | undefined
    }
  ) =>
    state.journal.record({
      time: state.clock.now(),
      method: event,
      path: "/mqtt",
      operation: "mqtt",
      caller: fields.caller,
      status: fields.status,
      durationMs: event === "DISCONNECT" ? Math.max(0, state.clock.now() - connection.createdAt) : 0,
      mqtt: {
        clientId: cut(fields.clientId),
        username: cut(fields.username),
        remoteAddress: connection.remoteAddress,
        ...(connection.sessionId === undefined ? {} : { sessionId: connection.sessionId }),
        ...(fields.reason === undefined ? {} : { reason: fields.reason })
      }
    })

  const disconnected = (connection: Connection, reason: string) => {
    const accepted = connection.accepted
    if (accepted === undefined) return
    journal(connection, "DISCONNECT", { ...accepted, status: 0, reason })
  }

  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const connection = connectionOf(client)
      const refuse = (reason: string) => {
        if (connection !== undefined) {
          journal(connection, "CONNECT", {
            clientId: client.id,
            username: username ?? "",
            caller: null,
            status: notAuthorized,
            reason
          })
        }
        const error = Object.assign(new Error("not authorized"), { returnCode: notAuthorized }) as AuthenticateError
        done(error, false)
      }
      if (connection === undefined) return refuse("unknown connection")
      authenticateConnect(keycloak, username, password).then((outcome) => {
        if (outcome._tag === "Refused") return refuse(outcome.reason)
        // The connection went away while it was being authenticated: aedes drops it, so must the broker.
        if (client.closed || connection.socket.destroyed) return done(null, false)
        const realm = outcome._tag === "User" ? outcome.realm : undefined
        const caller = outcome._tag === "User" ? outcome.caller : null
        connection.accepted = { clientId: client.id, username: username ?? "", realm, caller }
        if (outcome._tag === "User") {
          const session = state.store.openSession(
            outcome.user,
            connection.createdAt,
            connection.remoteAddress,
            nextId()
          )
          connection.sessionId = session.id
          state.connections.set(session.id, () => {
            disconnected(connection, "forced")
            connection.sessionId = undefined
            client.close()
          })
        }
        journal(connection, "CONNECT", { ...connection.accepted, status: 0 })
        done(null, true)
      }, () => refuse("authentication failed"))
    },
    authorizePublish: (client, packet, callback) =>
      callback(
        client !== null && ownTopic(connectionOf(client), client.id, packet.topic)
          ? null
          : new Error("publishing outside the client's own topic space")
      ),
    authorizeSubscribe: (client, subscription, callback) =>
      callback(null, ownTopic(connectionOf(client), client.id, subscription.topic) ? subscription : null)
  })
  // Errors of single connections (a malformed packet, a reset) end only that connection.
  broker.on("clientError", () => {})
  broker.on("connectionError", () => {})

  const server = net.createServer((socket) => {
    const connection: Connection = {
      socket,
      createdAt: state.clock.now(),
      remoteAddress: remoteAddressOf(socket)
    }
    connections.set(socket, connection)
    socket.on("error", () => {})
    socket.once("close", () => {
      connections.delete(socket)
      const id = connection.sessionId
      connection.sessionId = undefined
      // Still registered: the client (or the network) closed it, not the simulator.
      if (id !== undefined && state.connections.delete(id)) {
        disconnected(connection, "closed")
        state.store.closeSession(id)
      } else if (id === undefined && connection.accepted?.realm === undefined) {
        disconnected(connection, "closed")
      }
    })
    broker.handle(socket)
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(options.port, options.host, () => {
        server.off("error", reject)
        resolve()
      })
    })
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()))
    throw error
  }
  const port = (server.address() as net.AddressInfo).port
  return {
    url: `mqtt://${options.urlHost}:${port}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      // Connections that never sent a CONNECT are not aedes clients yet.
      for (const socket of connections.keys()) socket.destroy()
      await closed
    }
  }
}
