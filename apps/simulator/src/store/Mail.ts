/**
 * The outbox: the password-reset mails the simulator "sent", oldest first.
 *
 * @since 0.1.0
 */
import { randomId } from "../internal/ids.js"
import type * as Seed from "../Seed.js"
import type { MailRecord, RealmRecord, UserRecord } from "./Records.js"

/**
 * The mails of one store.
 *
 * @since 0.1.0
 * @category models
 */
export class Outbox {
  private readonly mails: Array<MailRecord> = []

  /** Puts a password-reset mail for `user` in the outbox (the caller checked the mail server and the address). */
  sendPasswordReset(realm: RealmRecord, user: UserRecord, server: Seed.MailServer, now: number): MailRecord {
    const mail: MailRecord = {
      id: randomId(),
      realm: realm.name,
      userId: user.id,
      username: user.username,
      to: user.email ?? "",
      from: server.from ?? `noreply@${server.host}`,
      subject: "Update Your Account",
      actions: ["UPDATE_PASSWORD"],
      sentAt: now
    }
    this.mails.push(mail)
    return mail
  }

  /** The mails sent, optionally of one realm only, oldest first. */
  list(realm?: string): ReadonlyArray<MailRecord> {
    return this.mails.filter((mail) => realm === undefined || mail.realm === realm)
  }

  /** Empties the outbox. */
  clear(): void {
    this.mails.length = 0
  }
}
