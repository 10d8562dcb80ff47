// The Google OAuth client form: the one-time setup guide with the console link, client ID and
// secret fields, saving them (then connecting, or not), and the "Change Google OAuth client" link.
import { errorMessage, openLink } from "../../api";
import { h, setText } from "../../dom";
import type { ClientForm, ClientFormHooks } from "./client-form";
import type { SettingsState } from "./state";

export const GOOGLE_CONSOLE_URL = "https://console.cloud.google.com/apis/credentials";

export function createGoogleClientForm(state: SettingsState, hooks: ClientFormHooks): ClientForm {
  const clientId = h("input", { id: "google-client-id", type: "text", autocomplete: "off", spellcheck: "false",
    placeholder: "1234567890-abc.apps.googleusercontent.com", "aria-describedby": "google-client-error" });
  const clientSecret = h("input", { id: "google-client-secret", type: "password", autocomplete: "off",
    spellcheck: "false", "aria-describedby": "google-client-error" });
  const clientError = h("p", { id: "google-client-error", class: "field-error", role: "alert" });
  const clientSubmit = h("button", { type: "submit", class: "btn btn-primary", id: "google-client-save" }, "Save and connect");
  let connectAfterSave = true;
  const form = h("form", { id: "google-client-form", class: "card", hidden: true, novalidate: true,
    "aria-labelledby": "google-client-heading", onsubmit: (e: Event) => { e.preventDefault(); void save(); } },
    h("h3", { id: "google-client-heading" }, "Your Google OAuth client"),
    h("p", { class: "muted" }, "Calendar Buddy signs in with your own Google Cloud OAuth client. One-time setup:"),
    h("ol", { class: "guide" },
      h("li", null, "In the Google Cloud console, create a project and enable the Google Calendar API."),
      h("li", null, "Set up the OAuth consent screen (External) and add yourself as a test user."),
      h("li", null, "Create credentials → OAuth client ID → Desktop app, and paste its ID and secret below.")),
    h("p", null, h("button", { type: "button", class: "link-btn", id: "open-console",
      onclick: () => void openLink(GOOGLE_CONSOLE_URL).catch((e) => { setText(clientError, errorMessage(e)); }) },
      "Open the Google Cloud console")),
    h("div", { class: "field field-stack" }, h("label", { for: "google-client-id" }, "Client ID"), clientId),
    h("div", { class: "field field-stack" }, h("label", { for: "google-client-secret" }, "Client secret"), clientSecret),
    clientError,
    h("div", { class: "row-actions" }, clientSubmit,
      h("button", { type: "button", class: "btn", id: "google-client-close", onclick: () => hide() }, "Cancel")));
  const editButton = h("button", { type: "button", class: "link-btn", id: "google-client-edit",
    onclick: () => show(false) }, "Change Google OAuth client");

  function show(thenConnect: boolean): void {
    connectAfterSave = thenConnect;
    setText(clientSubmit, thenConnect ? "Save and connect" : "Save");
    clientId.value = state.saved?.google.client_id ?? "";
    clientSecret.value = "";
    clientSecret.placeholder = state.saved?.google.client_secret_set ? "saved" : "";
    setText(clientError, "");
    form.hidden = false;
    editButton.hidden = true;
    clientId.focus();
  }

  /** A client set through CALBUDDY_GOOGLE_CLIENT_ID cannot be changed here. */
  function editable(): boolean {
    return Boolean(state.saved?.google.client_id) && !state.saved?.google.from_environment;
  }

  function hide(): void {
    form.hidden = true;
    editButton.hidden = !editable();
  }

  async function save(): Promise<void> {
    const saved = state.saved;
    if (!saved) return;
    const id = clientId.value.trim();
    const secret = clientSecret.value.trim();
    setText(clientError, "");
    if (!id) {
      setText(clientError, "Enter the client ID.");
      clientId.focus();
      return;
    }
    if (!secret && !saved.google.client_secret_set) {
      setText(clientError, "Enter the client secret.");
      clientSecret.focus();
      return;
    }
    clientSubmit.disabled = true;
    const ok = await state.enqueueSave((input) => {
      input.google = { client_id: id, client_secret: secret || null };
    }, (message) => {
      setText(clientError, message);
    });
    clientSubmit.disabled = false;
    if (!ok || state.destroyed) return;
    clientSecret.value = "";
    hide();
    if (connectAfterSave) hooks.connect();
    else hooks.announce("Google OAuth client saved.");
  }

  return {
    form,
    editButton,
    show,
    showError(message) {
      setText(clientError, message);
    },
    refresh() {
      if (form.hidden) editButton.hidden = !editable();
    },
  };
}
