// The Calendars section: calendars grouped by account, each in one row with a Show checkbox, a
// Reminders checkbox (a bell; off while the calendar is hidden, which has no reminders anyway)
// and a colour picker, each saved at once (undone and explained if the shell refuses), and its
// last sync error.
import { errorMessage, setCalendarColor, setCalendarEnabled, setCalendarReminders } from "../../api";
import type { Calendar } from "../../api";
import { colorDot, h, icon, ICONS, replace, safeColor, setText } from "../../dom";
import type { SettingsState } from "./state";

const DEFAULT_COLOR = "#4f7cff";

export type CalendarsSection = {
  list: HTMLDivElement;
  render(): void;
};

export function createCalendars(state: SettingsState): CalendarsSection {
  const list = h("div", { id: "calendar-list" });

  let calendarsKey = "";
  function render(): void {
    const { accounts, calendars } = state;
    const key = JSON.stringify([accounts.map((a) => [a.id, a.name]), calendars.map((c) => [c.id, c.account_id, c.name])]);
    if (key !== calendarsKey) {
      calendarsKey = key;
      if (calendars.length === 0) {
        replace(list, h("p", { class: "muted" }, "No calendars yet."));
      } else {
        const groups: { title: string; items: Calendar[] }[] = [];
        for (const a of accounts) {
          const items = calendars.filter((c) => c.account_id === a.id);
          if (items.length) groups.push({ title: a.name, items });
        }
        const orphans = calendars.filter((c) => !accounts.some((a) => a.id === c.account_id));
        if (orphans.length) groups.push({ title: "Other", items: orphans });
        replace(list, groups.map((g) => h("div", { class: "calendar-group" },
          h("h3", { class: "group-heading" }, g.title),
          h("ul", { class: "list" }, g.items.map(renderCalendar)))));
      }
    }
    // Values change in place, so the checkbox you just toggled keeps focus.
    for (const li of list.querySelectorAll<HTMLElement>(".calendar")) {
      const c = calendars.find((x) => String(x.id) === li.dataset.calendarId);
      if (!c) continue;
      const box = li.querySelector<HTMLInputElement>("input.calendar-show");
      const remind = li.querySelector<HTMLInputElement>("input.calendar-remind");
      const color = li.querySelector<HTMLInputElement>("input[type=color]");
      const dot = li.querySelector<HTMLElement>(".cal-dot");
      const note = li.querySelector<HTMLElement>(".calendar-note");
      if (box) box.checked = c.enabled;
      if (remind) {
        remind.checked = c.reminders;
        remind.disabled = !c.enabled;
      }
      const col = safeColor(c.color) ?? DEFAULT_COLOR;
      if (color && color.value.toLowerCase() !== col.toLowerCase()) color.value = col;
      dot?.style.setProperty("--cal", col);
      if (note) setText(note, c.last_error ?? "");
    }
  }

  return { list, render };
}

function renderCalendar(c: Calendar): HTMLLIElement {
  const boxId = `calendar-enabled-${c.id}`;
  const colorId = `calendar-color-${c.id}`;
  const errId = `calendar-error-${c.id}`;
  const err = h("span", { class: "field-error", id: errId, role: "alert" });
  const remindId = `calendar-reminders-${c.id}`;
  const box = h("input", { type: "checkbox", id: boxId, class: "calendar-show", checked: c.enabled,
    title: "Show this calendar", "aria-describedby": errId });
  const remind = h("input", { type: "checkbox", id: remindId, class: "calendar-remind", checked: c.reminders,
    disabled: !c.enabled, "aria-describedby": errId });
  const color = h("input", { type: "color", id: colorId, class: "color-input", value: safeColor(c.color) ?? DEFAULT_COLOR,
    "aria-label": `Colour for ${c.name}`, "aria-describedby": errId });
  box.addEventListener("change", () => {
    const want = box.checked;
    setText(err, "");
    setCalendarEnabled(c.id, want).then(
      () => {
        c.enabled = want;
        remind.disabled = !want;
      },
      (e) => { box.checked = !want; setText(err, errorMessage(e)); });
  });
  remind.addEventListener("change", () => {
    const want = remind.checked;
    setText(err, "");
    setCalendarReminders(c.id, want).then(
      () => { c.reminders = want; },
      (e) => { remind.checked = !want; setText(err, errorMessage(e)); });
  });
  let lastColor = color.value;
  color.addEventListener("change", () => {
    const value = safeColor(color.value);
    setText(err, "");
    if (!value) return;
    const before = lastColor;
    lastColor = value;
    li.querySelector<HTMLElement>(".cal-dot")?.style.setProperty("--cal", value);
    setCalendarColor(c.id, value).then(
      () => { c.color = value; },
      (e) => {
        lastColor = before;
        color.value = before;
        li.querySelector<HTMLElement>(".cal-dot")?.style.setProperty("--cal", before);
        setText(err, errorMessage(e));
      });
  });
  const li = h("li", { class: "calendar", "data-calendar-id": c.id },
    h("div", { class: "calendar-main" },
      box,
      h("label", { for: boxId, class: "calendar-label" }, colorDot(c.color ?? DEFAULT_COLOR),
        h("span", { class: "calendar-name" }, c.name),
        c.primary && h("span", { class: "badge" }, "Primary")),
      remind,
      h("label", { for: remindId, class: "calendar-bell", title: "Reminders" },
        icon(ICONS.bell), h("span", { class: "sr-only" }, `Reminders for ${c.name}`)),
      color),
    h("span", { class: "calendar-note small muted" }, c.last_error ?? ""),
    err);
  return li;
}
