// The lobby display: live calls by server-sent events (polling when the stream is down), the
// announcements queued one after another, the last state kept while the server is away.
"use strict";
(function () {
  const screen = document.getElementById("screen");
  const cfg = JSON.parse(screen.dataset.settings);
  const base = "/api/v1/calling/sites/" + encodeURIComponent(cfg.site);
  let seq = Number(screen.dataset.seq) || 0;
  let online = true;
  const queue = [];
  let playing = false;
  const audio = new Audio();
  audio.volume = cfg.volume;
  window.announcements = [];  // what was played: tests and diagnostics read it

  // Why the display is silent, said on its status line; everything else goes on regardless.
  const SILENT = {
    off: "Đã tắt âm thanh (sound=false trong địa chỉ trang): chỉ hiển thị, không đọc số.",
    voice: "Gói giọng đọc thiếu tệp hoặc bị lỗi: chỉ hiển thị, không đọc số.",
    device: "Không tìm thấy loa hay thiết bị âm thanh: chỉ hiển thị, không đọc số. Kiểm tra loa, dây cáp, âm lượng TV.",
    blocked: "Trình duyệt chặn tự phát âm thanh: chạm vào màn hình một lần, hoặc mở Chromium với --autoplay-policy=no-user-gesture-required.",
    error: "Không phát được âm thanh (kiểm tra loa và kết nối máy chủ): chỉ hiển thị, không đọc số.",
  };
  window.soundCheck = { state: "checking", message: "" };  // tests and diagnostics read it

  function setSound(state) {
    window.soundCheck = { state: state, message: SILENT[state] || "" };
    status();
    if (state === "blocked") retryOnGesture();
  }

  function status() {
    const parts = [];
    if (!online) parts.push("Mất kết nối máy chủ – đang thử lại. Thông tin có thể chưa mới.");
    if (window.soundCheck.message) parts.push(window.soundCheck.message);
    document.getElementById("status").textContent = parts.join(" · ");
    document.body.classList.toggle("offline", !online);
  }

  // Play one clip to its end: "ended", "blocked" (the autoplay policy refused) or "error" (not
  // fetched, not decoded, no output, or stuck for a minute).
  function playOnce(player, url) {
    return new Promise((resolve) => {
      const stuck = setTimeout(() => { player.pause(); resolve("error"); }, 60000);
      const finish = (outcome) => { clearTimeout(stuck); resolve(outcome); };
      player.onended = () => finish("ended");
      player.onerror = () => finish("error");
      player.src = url;
      const started = player.play();
      if (started && started.catch) {
        started.catch((e) => finish(e && e.name === "NotAllowedError" ? "blocked" : "error"));
      }
    });
  }

  // Without a secure context (http:// to another host) the browser lists no devices: unknown.
  async function speakerMissing() {
    const media = navigator.mediaDevices;
    if (!media || !media.enumerateDevices) return false;
    try {
      return !(await media.enumerateDevices()).some((d) => d.kind === "audiooutput");
    } catch (e) {
      return false;
    }
  }

  // Up front, before any call: the URL's choice, the voice pack, a speaker, and a quarter second
  // of silence from the server played through the same path as the announcements.
  let checks = 0;
  async function checkSound() {
    const mine = ++checks;
    let state = "ok";
    if (!cfg.sound) state = "off";
    else if (!cfg.voice) state = "voice";
    else if (await speakerMissing()) state = "device";
    else {
      const check = new Audio();
      check.volume = cfg.volume;
      const outcome = await playOnce(check, "/calling/voice/check.wav");
      state = outcome === "ended" ? "ok" : outcome;
    }
    if (mine === checks) setSound(state);
  }

  function retryOnGesture() {
    const retry = () => {
      document.removeEventListener("pointerdown", retry);
      document.removeEventListener("keydown", retry);
      checkSound();
    };
    document.addEventListener("pointerdown", retry);
    document.addEventListener("keydown", retry);
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
    if (cfg.sound && cfg.voice) announce(call);
    refresh();
  }

  function announce(call) {
    const url = "/calling/voice/announce.wav?ticket=" + encodeURIComponent(call.ticket) +
      "&counter=" + encodeURIComponent(call.counter) + (call.priority ? "&priority=true" : "");
    for (let i = 0; i < cfg.repeat; i++) queue.push({ url: url, ticket: call.ticket, seq: call.seq });
    next();
  }

  async function next() {
    if (playing || !queue.length) return;
    const item = queue.shift();
    playing = true;
    const outcome = await playOnce(audio, item.url);
    window.announcements.push({ ticket: item.ticket, seq: item.seq, outcome: outcome });
    const state = window.soundCheck.state;
    if (outcome !== "ended" && state !== "device") setSound(outcome);
    else if (outcome === "ended" && (state === "error" || state === "blocked")) setSound("ok");
    playing = false;
    next();
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
  checkSound();
  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener("devicechange", checkSound);  // a TV switched on later
  }
})();
