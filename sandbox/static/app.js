// The sandbox's web chat: pick a person, talk to the bot, press its buttons.
// The bot's HTML is Telegram's small subset; it is rebuilt here from an allow-list, never
// inserted as it came, so nothing in a message can run script or load anything.
"use strict";

const ALLOWED = new Set(["B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "A", "CODE", "PRE", "BLOCKQUOTE"]);
const SAFE_LINK = /^(https?:|tg:|mailto:)/i;
const POLL_MS = 700;
const STATE_MS = 15000; // the bot's clock and the people, also when changed in another tab
const SAVED_PERSON = "forum-sandbox.person";
const PICTURES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const MAX_FILE_MB = 10; // as sandbox/runtime.py's MAX_FILE_BYTES

// view: "private" (the person's own chat with the bot) or "group" (a practice group);
// which: the practice group open, "hub" (a supergroup) or "basic" (can be made a supergroup).
const state = { people: [], current: null, version: null, busy: false, view: "private", which: "hub" };
const GROUP_TITLES = { hub: "Hub group (practice)", basic: "Basic group (practice)" };
const $ = (id) => document.getElementById(id);

// The chosen person is kept in this browser, so reloading the page keeps them chosen.
function savedPerson() {
  try { return Number(window.localStorage.getItem(SAVED_PERSON)); } catch (error) { return null; }
}

function savePerson(userId) {
  try { window.localStorage.setItem(SAVED_PERSON, String(userId)); } catch (error) { /* private mode */ }
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ ok: false, error: response.statusText }));
  if (!response.ok || data.ok === false) throw new Error(data.error || response.statusText);
  return data;
}

function safeHtml(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const out = document.createDocumentFragment();
  copyChildren(parsed.body, out);
  return out;
}

function copyChildren(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.appendChild(document.createTextNode(node.textContent));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      if (ALLOWED.has(node.tagName)) {
        const element = document.createElement(node.tagName.toLowerCase());
        if (node.tagName === "A") {
          const href = node.getAttribute("href") || "";
          if (SAFE_LINK.test(href)) element.href = href;
          element.target = "_blank";
          element.rel = "noopener noreferrer";
        }
        copyChildren(node, element);
        to.appendChild(element);
      } else {
        copyChildren(node, to); // keep the words, drop the tag
      }
    }
  }
}

function initial(name) { return (name || "?").trim().charAt(0).toUpperCase(); }

function drawPeople() {
  const list = $("people");
  list.replaceChildren();
  for (const person of state.people) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.userId = person.user_id;
    button.setAttribute("aria-pressed", String(person.user_id === state.current));
    const avatar = document.createElement("span");
    avatar.className = "avatar";
    avatar.textContent = initial(person.first_name);
    const words = document.createElement("span");
    words.textContent = `${person.first_name} (${person.role})`;
    const hint = document.createElement("small");
    hint.textContent = person.hint;
    words.appendChild(hint);
    button.append(avatar, words);
    button.addEventListener("click", () => choose(person.user_id));
    item.appendChild(button);
    list.appendChild(item);
  }
  const me = state.people.find((p) => p.user_id === state.current);
  if (state.view === "group") {
    $("bot-name").textContent = GROUP_TITLES[state.which];
    $("who").textContent = me ? `You write here as ${me.first_name}. ${state.groupLine || ""}` : "Pick a person";
  } else {
    $("bot-name").textContent = state.botName || "Forum bot";
    $("who").textContent = me ? `You are ${me.first_name} (${me.role})` : "Pick a person";
  }
  const open = (which) => state.view === "group" && state.which === which;
  $("group-open").textContent = open("hub") ? "Back to the private chat" : "Open the practice group";
  $("basic-open").textContent = open("basic") ? "Back to the private chat" : "Open the basic group";
}

function applyState(data) {
  state.people = data.people;
  $("clock").textContent = data.clock;
  $("show-keys").checked = data.show_keys;
  state.botName = data.bot_name;
  $("database").textContent = data.database;
  const known = (userId) => state.people.some((p) => p.user_id === userId);
  if (!known(state.current)) {
    const saved = savedPerson();
    state.current = known(saved) ? saved : (state.people.length ? state.people[0].user_id : null);
    state.version = null;
  }
  drawPeople();
}

function choose(userId) {
  state.current = userId;
  savePerson(userId);
  state.version = null;
  drawPeople();
  refresh();
  $("text").focus();
}

function drawMessage(message) {
  const wrap = document.createElement("div");
  if (message.note) { // "Sam joined the group": a notice, not a message
    wrap.className = "day";
    wrap.textContent = message.note;
    return wrap;
  }
  const mine = !message.from_bot && (message.sender === undefined || message.sender === currentName());
  wrap.className = `msg ${mine ? "me" : message.from_bot ? "bot" : "them"}`;
  wrap.dataset.messageId = message.id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.sender && !mine) {
    const who = document.createElement("div");
    who.className = "sender";
    who.textContent = message.sender;
    bubble.appendChild(who);
  }
  if (message.photo) {
    const img = document.createElement("img");
    img.src = message.photo.url;
    img.alt = message.from_bot ? "Picture from the bot" : "Your picture";
    bubble.appendChild(img);
  }
  if (message.document) {
    const link = document.createElement("a");
    link.className = "doc";
    link.href = message.document.url;
    link.download = message.document.name;
    link.textContent = `${message.document.name} (${Math.max(1, Math.round(message.document.size / 1024))} KB)`;
    bubble.appendChild(link);
  }
  const body = document.createElement("div");
  body.className = "text";
  body.appendChild(safeHtml(message.html || message.caption || ""));
  bubble.appendChild(body);
  const meta = document.createElement("span");
  meta.className = "meta";
  // The bot's time in the bot's time zone, worked out by the sandbox: never the browser's clock.
  meta.textContent = message.edited ? `edited ${message.edited_time}` : message.time;
  bubble.appendChild(meta);
  wrap.appendChild(bubble);
  if (message.buttons.length) {
    const rows = document.createElement("div");
    rows.className = "buttons";
    for (const row of message.buttons) {
      const line = document.createElement("div");
      line.className = "row";
      for (const button of row) {
        const press = document.createElement("button");
        press.type = "button";
        if (button.keys && button.keys.length) {
          const key = document.createElement("code");
          key.className = "key";
          key.textContent = button.keys.map((k) => `[${k}]`).join(" or ");
          press.append(key, " ");
        }
        press.append(button.text + (button.url ? " ↗" : ""));
        if (button.url) {
          press.addEventListener("click", () => { if (SAFE_LINK.test(button.url)) window.open(button.url, "_blank", "noopener"); });
        } else {
          press.addEventListener("click", () => pressButton(message.id, button.data));
        }
        line.appendChild(press);
      }
      rows.appendChild(line);
    }
    wrap.appendChild(rows);
  }
  if (message.keyboard.length) {
    const note = document.createElement("div");
    note.className = "keyboard-note";
    note.textContent = `Suggested replies: ${message.keyboard.flat().join(" · ")}`;
    wrap.appendChild(note);
  }
  return wrap;
}

function currentName() {
  const me = state.people.find((p) => p.user_id === state.current);
  return me ? me.first_name : null;
}

async function refresh() {
  if (state.current === null) return;
  const userId = state.current;
  const view = state.view;
  let data;
  try {
    data = await api(view === "group" ? `/api/group?group=${state.which}` : `/api/chat/${userId}`);
  } catch (error) {
    return;
  }
  if (view === "group") {
    const bot = !data.exists || !data.bot_in ? "The bot is not in the group." : data.admin ? "The bot is an admin: it sees every message." : "The bot sees only commands and replies to it.";
    const kind = state.which === "basic" ? (data.supergroup ? " It is a supergroup now." : " It is a basic group.") : "";
    state.groupLine = `${bot}${kind} In the group: ${data.members.length ? data.members.join(", ") : "nobody yet"}.`;
    drawPeople();
  }
  const version = `${view}:${state.which}:${userId}:${data.version}`;
  if (userId !== state.current || view !== state.view || version === state.version) return;
  state.version = version;
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren();
  if (!data.messages.length) {
    const empty = document.createElement("div");
    empty.className = "empty";
    empty.textContent = view === "group" ? "Nobody has written here yet. Add the bot to the group, then a coordinator sends /link here." : "No messages yet. Send /start to begin.";
    box.appendChild(empty);
  }
  let day = null;
  for (const message of data.messages) {
    if (message.day !== day) {
      day = message.day;
      const line = document.createElement("div");
      line.className = "day";
      line.textContent = day;
      box.appendChild(line);
    }
    box.appendChild(drawMessage(message));
  }
  if (atBottom || data.messages.length) box.scrollTop = box.scrollHeight;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, Math.max(3500, text.length * 70));
}

async function pressButton(messageId, data) {
  try {
    const path = state.view === "group" ? "/api/group/press" : "/api/press";
    const result = await api(path, { user_id: state.current, message_id: messageId, data, group: state.which });
    if (result.answer) {
      const keys = (result.answer_keys || []).map((k) => `[${k}] `).join("");
      toast(keys + result.answer);
    }
  } catch (error) {
    toast(`That button did not work: ${error.message}`);
  }
  refresh();
}

async function loadState() { applyState(await api("/api/state")); }

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("text");
  const text = input.value;
  if (!text.trim() || state.current === null) return;
  input.value = "";
  try {
    await api(state.view === "group" ? "/api/group/send" : "/api/send", { user_id: state.current, text, group: state.which });
  } catch (error) {
    input.value = text;
    toast(`Not sent: ${error.message}`);
  }
  refresh();
});

function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error || new Error("the file could not be read"));
    reader.readAsDataURL(file);
  });
}

$("attach").addEventListener("click", () => {
  if (state.view === "group") { toast("In the practice group you can write, not send files."); return; }
  if (state.current !== null) $("file").click();
});

// The practice groups: open one, or act in it as the person picked.
function openGroup(which) {
  const open = state.view === "group" && state.which === which;
  state.view = open ? "private" : "group";
  state.which = which;
  state.version = null;
  drawPeople();
  refresh();
}
$("group-open").addEventListener("click", () => openGroup("hub"));
$("basic-open").addEventListener("click", () => openGroup("basic"));

for (const button of document.querySelectorAll(".group-act")) {
  button.addEventListener("click", async () => {
    if (state.current === null) return;
    try {
      // "Make it a supergroup" is for the basic group only; the rest act on the group open.
      const which = button.dataset.group || state.which;
      await api("/api/group", { user_id: state.current, action: button.dataset.action, group: which });
      if (state.view !== "group" || state.which !== which) { state.view = "group"; state.which = which; state.version = null; drawPeople(); }
    } catch (error) {
      toast(`That did not work: ${error.message}`);
    }
    refresh();
  });
}

$("file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file || state.current === null) return;
  if (file.size > MAX_FILE_MB * 1024 * 1024) {
    toast(`That file is too big for the sandbox. It can take files up to ${MAX_FILE_MB} MB.`);
    return;
  }
  const input = $("text");
  const caption = input.value;
  try {
    const data = await base64Of(file);
    input.value = "";
    await api("/api/send_file", {
      user_id: state.current, name: file.name, mime_type: file.type, caption, data,
      photo: PICTURES.has(file.type),
    });
  } catch (error) {
    input.value = caption;
    toast(`Not sent: ${error.message}`);
  }
  refresh();
});

$("add-person").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("new-name").value.trim();
  if (!name) return;
  try {
    const result = await api("/api/people", { first_name: name });
    $("new-name").value = "";
    await loadState();
    choose(result.person.user_id);
  } catch (error) {
    toast(error.message);
  }
});

for (const button of document.querySelectorAll(".ff")) {
  button.addEventListener("click", async () => {
    try {
      const result = await api("/api/clock", { seconds: Number(button.dataset.seconds) });
      applyState(result);
      toast(result.note);
    } catch (error) {
      toast(`The clock did not move: ${error.message}`);
    }
    refresh();
  });
}

$("show-keys").addEventListener("change", async (event) => {
  applyState(await api("/api/show_keys", { on: event.target.checked }));
});

$("reset").addEventListener("click", async () => {
  if (!window.confirm("Delete everything in the sandbox and start again?")) return;
  applyState(await api("/api/reset", {}));
  state.version = null;
  refresh();
  toast("The sandbox starts afresh.");
});

// Surveys: any file in the surveys folder drawn as members would see it, or what to fix.
function drawSurveyList(data) {
  const list = $("surveys");
  list.replaceChildren();
  if (!data.surveys.length) {
    const item = document.createElement("li");
    item.className = "note";
    item.textContent = `No survey files in ${data.folder} yet.`;
    list.appendChild(item);
  }
  for (const survey of data.surveys) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.key = survey.key;
    button.textContent = survey.title || survey.file;
    const hint = document.createElement("small");
    hint.textContent = survey.error ? `${survey.file}: needs fixing` : survey.file;
    if (survey.error) button.classList.add("broken");
    button.appendChild(hint);
    button.addEventListener("click", () => showSurvey(survey.key));
    item.appendChild(button);
    list.appendChild(item);
  }
}

async function loadSurveys() {
  try {
    drawSurveyList(await api("/api/surveys"));
  } catch (error) {
    const list = $("surveys");
    list.replaceChildren();
    const item = document.createElement("li");
    item.className = "note";
    item.textContent = error.message;
    list.appendChild(item);
  }
}

function drawSurveyMessage(message) {
  const parts = [];
  const what = document.createElement("div");
  what.className = "survey-what";
  what.textContent = message.what;
  parts.push(what);
  const wrap = drawMessage({
    id: 0, from_bot: true, html: message.html, caption: "", time: "", edited: false,
    buttons: message.buttons.map((row) => row.map((button) => ({ text: button.text, data: null }))),
    keyboard: [],
  });
  for (const press of wrap.querySelectorAll(".buttons button")) {
    const copy = press.cloneNode(true); // drop the press handler: a preview answers nothing
    copy.addEventListener("click", () => toast("This is a preview: the buttons do nothing here."));
    press.replaceWith(copy);
  }
  wrap.querySelector(".meta").remove();
  parts.push(wrap);
  if (message.notes.length) {
    const notes = document.createElement("ul");
    notes.className = "survey-notes";
    for (const note of message.notes) {
      const line = document.createElement("li");
      line.textContent = note;
      notes.appendChild(line);
    }
    parts.push(notes);
  }
  return parts;
}

async function showSurvey(key) {
  let data;
  try {
    data = await api(`/api/surveys/${encodeURIComponent(key)}`);
  } catch (error) {
    toast(`That survey could not be shown: ${error.message}`);
    loadSurveys();
    return;
  }
  $("survey-title").textContent = data.title || data.key;
  $("survey-file").textContent = data.error ? "This file needs fixing before it can be sent" : `${data.key}.yaml, as a member sees it`;
  const body = $("survey-body");
  body.replaceChildren();
  if (data.error) {
    const box = document.createElement("div");
    box.className = "survey-error";
    box.textContent = data.error;
    body.appendChild(box);
  } else {
    const about = document.createElement("ul");
    about.className = "survey-about";
    for (const line of data.about) {
      const item = document.createElement("li");
      item.textContent = line;
      about.appendChild(item);
    }
    body.appendChild(about);
    for (const message of data.messages) body.append(...drawSurveyMessage(message));
  }
  $("survey-view").hidden = false;
  body.scrollTop = 0;
}

$("survey-close").addEventListener("click", () => { $("survey-view").hidden = true; });
$("surveys-again").addEventListener("click", loadSurveys);

loadState().then(refresh);
loadSurveys();
setInterval(refresh, POLL_MS);
setInterval(() => loadState().catch(() => {}), STATE_MS);
