import { afterAll, describe, expect, it } from "@effect/vitest"
import { makeApp } from "./helpers.js"

const app = makeApp()
afterAll(() => app.close())

describe("the control plane's root", () => {
  it("answers with every control route, at /_simulator/ and /_simulator", async () => {
    for (const url of ["/_simulator/", "/_simulator"]) {
      const response = await app.inject(url)
      expect(response.statusCode, url).toBe(200)
      const { routes } = response.json<{ routes: ReadonlyArray<{ method: string; path: string }> }>()
      expect(routes).toContainEqual({ method: "POST", path: "/_simulator/reset" })
      expect(routes).toContainEqual({ method: "DELETE", path: "/_simulator/faults/:id" })
      expect(routes).toContainEqual({ method: "GET", path: "/_simulator/mail/outbox" })
      expect(routes.filter((route) => route.method === "HEAD")).toEqual([])
      // Every listed route exists, and the index does not list itself.
      for (const { method, path } of routes) {
        expect(app.hasRoute({ method: method as "GET", url: path }), `${method} ${path}`).toBe(true)
        expect(path).not.toMatch(/^\/_simulator\/?$/)
      }
      expect(routes.length).toBeGreaterThanOrEqual(17)
    }
  })

  it("is off with the rest of the control plane", async () => {
    const off = makeApp({ control: false })
    try {
      expect((await off.inject("/_simulator/")).statusCode).toBe(404)
    } finally {
      await off.close()
    }
  })
})
