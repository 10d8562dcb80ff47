// The overlap rule shared by the cards and the details panel.
import { expect, test } from "vitest";
import { event } from "../../test-helpers";
import { overlapping, takesTime } from "./overlap";

const at = (id: string, start: string, end: string, over = {}) =>
  event({ id, title: id, start: `2026-11-25T${start}:00Z`, end: `2026-11-25T${end}:00Z`, ...over });

test("spans that intersect overlap; touching ends do not", () => {
  const a = at("a", "10:00", "11:00");
  const inside = at("inside", "10:15", "10:30");
  const across = at("across", "10:45", "11:30");
  const before = at("before", "09:00", "10:00");
  const after = at("after", "11:00", "12:00");
  expect(overlapping(a, [a, inside, across, before, after]).map((e) => e.id)).toEqual(["inside", "across"]);
  expect(overlapping(inside, [a, inside]).map((e) => e.id)).toEqual(["a"]);
});

test("only events that take up time count", () => {
  const a = at("a", "10:00", "11:00");
  const declined = at("declined", "10:00", "11:00", { my_response: "declined" });
  const cancelled = at("cancelled", "10:00", "11:00", { status: "cancelled" });
  const allDay = event({ id: "day", all_day: true, start: "2026-11-25", end: "2026-11-26" });
  const tentative = at("tentative", "10:30", "11:30", { my_response: "tentative" });
  expect(overlapping(a, [declined, cancelled, allDay, tentative]).map((e) => e.id)).toEqual(["tentative"]);
  expect(overlapping(allDay, [a])).toEqual([]);
  expect([a, declined, cancelled, allDay, tentative].map(takesTime)).toEqual([true, false, false, false, true]);
});
