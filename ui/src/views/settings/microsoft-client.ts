// The Microsoft app registration form: the one-time Entra admin center guide with its link, the
// client ID and the tenant (who may sign in), saving them (then connecting, or not), and the
// "Change Microsoft app registration" link. The engine checks the tenant; its refusal shows here.
import { errorMessage, openLink } from "../../api";
import { h, setText } from "../../dom";
import type { ClientForm, ClientFormHooks } from "./client-form";
import type { SettingsState } from "./state";

export const ENTRA_ADMIN_URL = "https://entra.microsoft.com/";

/** The tenants that are not one organisation's, as the select offers them. */
const TENANT_KEYWORDS: [string, string][] = [
  ["common", "common (work, school and personal)"],
  ["organizations", "organizations (work and school only)"],
  ["consumers", "consumers (personal Outlook.com only)"],
];
/** The select's value for "one tenant's ID or domain", typed into the field beside it. */
const ONE_TENANT = "tenant";

export function createMicrosoftClientForm(state: SettingsState, hooks: ClientFormHooks): ClientForm {
  const clientId = h("input", { id: "microsoft-client-id", type: "text", autocomplete: "off", spellcheck: "false",
    placeholder: "00000000-0000-0000-0000-000000000000", "aria-describedby": "microsoft-client-note microsoft-client-error" });
  const clientNote = h("p", { id: "microsoft-client-note", class: "muted small" });
  const tenant = h("select", { id: "microsoft-tenant", "aria-describedby": "microsoft-client-error",
    onchange: () => renderTenant() },
    TENANT_KEYWORDS.map(([value, label]) => h("option", { value }, label)),
    h("option", { value: ONE_TENANT }, "One organisation: a tenant ID or domain"));
  const tenantOther = h("input", { id: "microsoft-tenant-other", type: "text", autocomplete: "off", spellcheck: "false",
    placeholder: "contoso.onmicrosoft.com", "aria-label": "Tenant ID or domain", "aria-describedby": "microsoft-client-error" });
  const clientError = h("p", { id: "microsoft-client-error", class: "field-error", role: "alert" });
  const clientSubmit = h("button", { type: "submit", class: "btn btn-primary", id: "microsoft-client-save" }, "Save and connect");
  let connectAfterSave = true;
  const form = h("form", { id: "microsoft-client-form", class: "card", hidden: true, novalidate: true,
    "aria-labelledby": "microsoft-client-heading", onsubmit: (e: Event) => { e.preventDefault(); void save(); } },
    h("h3", { id: "microsoft-client-heading" }, "Your Microsoft app registration"),
    h("p", { class: "muted" }, "Calendar Buddy signs in with your own app registration in Microsoft Entra. One-time setup:"),
    h("ol", { class: "guide" },
      h("li", null, "In the Microsoft Entra admin center, go to App registrations → New registration."),
      h("li", null, "Authentication → Add a platform → “Mobile and desktop applications”, with the redirect URI http://localhost."),
      h("li", null, "Set “Allow public client flows” to Yes (no client secret is needed)."),
      h("li", null, "API permissions: Microsoft Graph Calendars.Read, User.Read and offline_access."),
      h("li", null, "Paste the Application (client) ID below.")),
    h("p", null, h("button", { type: "button", class: "link-btn", id: "open-entra",
      onclick: () => void openLink(ENTRA_ADMIN_URL).catch((e) => { setText(clientError, errorMessage(e)); }) },
      "Open the Entra admin center")),
    h("div", { class: "field field-stack" }, h("label", { for: "microsoft-client-id" }, "Application (client) ID"), clientId, clientNote),
    h("div", { class: "field field-stack" }, h("label", { for: "microsoft-tenant" }, "Who can sign in"), tenant, tenantOther),
    clientError,
    h("div", { class: "row-actions" }, clientSubmit,
      h("button", { type: "button", class: "btn", id: "microsoft-client-close", onclick: () => hide() }, "Cancel")));
  const editButton = h("button", { type: "button", class: "link-btn", id: "microsoft-client-edit",
    onclick: () => show(false) }, "Change Microsoft app registration");

  function renderTenant(): void {
    tenantOther.hidden = tenant.value !== ONE_TENANT;
  }

  function show(thenConnect: boolean): void {
    const saved = state.saved?.microsoft;
    connectAfterSave = thenConnect;
    setText(clientSubmit, thenConnect ? "Save and connect" : "Save");
    clientId.value = saved?.client_id ?? "";
    // A client ID from CALBUDDY_MICROSOFT_CLIENT_ID is shown but not editable; the tenant is.
    clientId.readOnly = Boolean(saved?.from_environment);
    setText(clientNote, saved?.from_environment ? "Set by CALBUDDY_MICROSOFT_CLIENT_ID." : "");
    clientNote.hidden = !saved?.from_environment;
    const savedTenant = saved?.tenant ?? "common";
    const keyword = TENANT_KEYWORDS.some(([value]) => value === savedTenant);
    tenant.value = keyword ? savedTenant : ONE_TENANT;
    tenantOther.value = keyword ? "" : savedTenant;
    renderTenant();
    setText(clientError, "");
    form.hidden = false;
    editButton.hidden = true;
    (clientId.readOnly ? tenant : clientId).focus();
  }

  function hide(): void {
    form.hidden = true;
    editButton.hidden = !state.saved?.microsoft.client_id;
  }

  async function save(): Promise<void> {
    const saved = state.saved;
    if (!saved) return;
    const id = clientId.value.trim();
    const chosen = tenant.value === ONE_TENANT ? tenantOther.value.trim() : tenant.value;
    setText(clientError, "");
    if (!id) {
      setText(clientError, "Enter the application (client) ID.");
      clientId.focus();
      return;
    }
    if (!chosen) {
      setText(clientError, "Enter the tenant ID or domain.");
      tenantOther.focus();
      return;
    }
    clientSubmit.disabled = true;
    const ok = await state.enqueueSave((input) => {
      input.microsoft = { client_id: id, tenant: chosen };
    }, (message) => {
      setText(clientError, message);
    });
    clientSubmit.disabled = false;
    if (!ok || state.destroyed) return;
    hide();
    if (connectAfterSave) hooks.connect();
    else hooks.announce("Microsoft app registration saved.");
  }

  return {
    form,
    editButton,
    show,
    showError(message) {
      setText(clientError, message);
    },
    refresh() {
      if (form.hidden) editButton.hidden = !state.saved?.microsoft.client_id;
    },
  };
}
