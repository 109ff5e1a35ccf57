// The ticket on the phone: updated on every counter action of its office, and every 20 s.
"use strict";
(function () {
  const root = document.getElementById("phone");
  const cfg = JSON.parse(root.dataset.settings);
  const states = {
    served: "Quý khách đã được phục vụ. Cảm ơn quý khách!",
    no_show: "Số của quý khách đã bị bỏ qua vì vắng mặt. Vui lòng đến quầy để được gọi lại.",
  };

  function headline(view) {
    const t = view.ticket;
    if (t.state === "waiting") return view.ahead === 0 ? "Quý khách là người tiếp theo" : "Còn " + view.ahead + " người trước quý khách";
    if (t.state === "called") return "Mời quý khách đến Quầy " + t.counter;
    return states[t.state] || "";
  }

  async function refresh() {
    try {
      const answer = await fetch(cfg.state, { cache: "no-store" });
      if (!answer.ok) throw new Error(String(answer.status));
      const view = await answer.json();
      document.getElementById("headline").textContent = headline(view);
      document.getElementById("state").className = "state state-" + view.ticket.state;
      document.getElementById("serving").textContent = view.serving || "—";
      document.getElementById("status").textContent = "Trang tự cập nhật.";
      root.dataset.state = view.ticket.state;
    } catch (e) {
      document.getElementById("status").textContent = "Mất kết nối – đang thử lại.";
    }
  }

  const source = new EventSource("/api/v1/calling/sites/" + encodeURIComponent(cfg.site) + "/events?after=" + root.dataset.seq);
  source.addEventListener("call", refresh);
  source.addEventListener("reload", refresh);
  source.addEventListener("open", refresh);
  setInterval(refresh, 20000);
})();
