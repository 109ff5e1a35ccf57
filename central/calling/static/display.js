// The lobby display: live calls by server-sent events (polling when the stream is down), the
// announcements queued one after another, the last state kept while the server is away.
"use strict";
(function () {
  const screen = document.getElementById("screen");
  const cfg = JSON.parse(screen.dataset.settings);
  const base = "/api/v1/calling/sites/" + encodeURIComponent(cfg.site);
  let seq = Number(screen.dataset.seq) || 0;
  let online = true;
  let audioProblem = cfg.sound && !cfg.voice ? "Không có gói giọng đọc: chỉ hiển thị, không đọc số." : "";
  const queue = [];
  let playing = false;
  const audio = new Audio();
  audio.volume = cfg.volume;
  window.announcements = [];  // what was played: tests and diagnostics read it

  function status() {
    const parts = [];
    if (!online) parts.push("Mất kết nối máy chủ – đang thử lại. Thông tin có thể chưa mới.");
    if (audioProblem) parts.push(audioProblem);
    document.getElementById("status").textContent = parts.join(" · ");
    document.body.classList.toggle("offline", !online);
  }

  function text(id, value) { document.getElementById(id).textContent = value; }

  function showCalls(calls) {
    const latest = calls[0];
    text("latest-ticket", latest ? latest.ticket : "—");
    text("latest-counter", latest ? "đến Quầy " + latest.counter : "");
    text("latest-service", latest ? latest.service_name : "");
    const list = document.getElementById("history");
    list.replaceChildren(...calls.slice(1).map((c) => {
      const li = document.createElement("li");
      const t = document.createElement("span"); t.className = "t"; t.textContent = c.ticket;
      const k = document.createElement("span"); k.className = "c"; k.textContent = "Quầy " + c.counter;
      li.append(t, k);
      return li;
    }));
  }

  function showServices(services) {
    const body = document.querySelector("#services tbody");
    body.replaceChildren(...services.map((s) => {
      const tr = document.createElement("tr");
      const name = document.createElement("td"); name.className = "name"; name.textContent = s.id + " · " + s.name;
      const serving = document.createElement("td"); serving.append("Đang phục vụ ");
      const b1 = document.createElement("b"); b1.textContent = s.serving || "—"; serving.append(b1);
      const waiting = document.createElement("td"); waiting.append("Đang chờ ");
      const b2 = document.createElement("b"); b2.textContent = String(s.waiting); waiting.append(b2);
      tr.append(name, serving, waiting);
      return tr;
    }));
  }

  let calls = [];
  function onCall(call) {
    if (call.seq <= seq) return;
    seq = call.seq;
    screen.dataset.seq = String(seq);
    if (!call.announce) { refresh(); return; }
    calls = [call, ...calls.filter((c) => c.seq !== call.seq)].slice(0, 8);
    showCalls(calls);
    screen.dataset.lastCall = call.ticket + "@" + call.counter;
    if (cfg.sound) announce(call);
    refresh();
  }

  function announce(call) {
    const url = "/calling/voice/announce.wav?ticket=" + encodeURIComponent(call.ticket) +
      "&counter=" + encodeURIComponent(call.counter) + (call.priority ? "&priority=true" : "");
    for (let i = 0; i < cfg.repeat; i++) queue.push({ url: url, ticket: call.ticket, seq: call.seq });
    next();
  }

  function next() {
    if (playing || !queue.length) return;
    const item = queue.shift();
    playing = true;
    const done = (outcome) => {
      window.announcements.push({ ticket: item.ticket, seq: item.seq, outcome: outcome });
      playing = false;
      next();
    };
    audio.onended = () => { if (audioProblem && cfg.voice) { audioProblem = ""; status(); } done("ended"); };
    audio.onerror = () => { audioProblem = "Không phát được âm thanh (kiểm tra loa)."; status(); done("error"); };
    audio.src = item.url;
    const started = audio.play();
    if (started && started.catch) {
      started.catch(() => { audioProblem = "Không phát được âm thanh (kiểm tra loa)."; status(); done("error"); });
    }
  }

  async function refresh() {
    try {
      const answer = await fetch(base + "/display", { cache: "no-store" });
      if (!answer.ok) throw new Error(String(answer.status));
      const state = await answer.json();
      showServices(state.services);
      calls = state.calls;
      showCalls(calls);
      const notices = document.getElementById("notices");
      notices.replaceChildren(...state.notices.map((n) => { const s = document.createElement("span"); s.textContent = n; return s; }));
      if (state.seq > seq) { seq = state.seq; screen.dataset.seq = String(seq); }
      setOnline(true);
    } catch (e) {
      setOnline(false);
    }
  }

  function setOnline(value) { if (online !== value) { online = value; status(); } }

  let source = null;
  function connect() {
    source = new EventSource(base + "/events?after=" + seq);
    source.addEventListener("open", () => { setOnline(true); refresh(); });
    source.addEventListener("call", (e) => onCall(JSON.parse(e.data)));
    source.addEventListener("reload", () => refresh());
    source.addEventListener("error", () => setOnline(false));
  }

  // Polling fallback: while the stream is down, ask for the calls missed every 2 s.
  async function poll() {
    if (source && source.readyState === EventSource.OPEN) return;
    try {
      const answer = await fetch(base + "/calls?after=" + seq, { cache: "no-store" });
      if (!answer.ok) throw new Error(String(answer.status));
      const found = await answer.json();
      setOnline(true);
      found.events.forEach(onCall);
      if (source === null || source.readyState === EventSource.CLOSED) connect();
    } catch (e) {
      setOnline(false);
    }
  }

  function tick() {
    const now = new Date();
    text("clock", now.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" }) +
      " · " + now.toLocaleDateString("vi-VN", { weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Asia/Ho_Chi_Minh" }));
  }

  tick();
  setInterval(tick, 1000);
  setInterval(poll, 2000);
  setInterval(refresh, 10000);  // waiting counts change as kiosks issue tickets
  status();
  connect();
})();
