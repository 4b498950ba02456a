// Registers this browser for Web Push: a service worker, PushManager.subscribe with the
// notifier's VAPID key, and the subscription posted to the box like a form (with its CSRF token).
(function () {
  const box = document.getElementById("push");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !box.dataset.key) return;
  box.hidden = false;
  const status = document.getElementById("push-status");
  const key = Uint8Array.from(atob(box.dataset.key.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  document.getElementById("push-aan").addEventListener("click", async () => {
    try {
      const registration = await navigator.serviceWorker.register("/sw.js");
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      const form = new URLSearchParams({ csrf: box.dataset.csrf, subscription: JSON.stringify(subscription) });
      const answer = await fetch("/apparaten", { method: "POST", body: form, credentials: "same-origin" });
      status.textContent = answer.ok ? "Meldingen staan aan op dit apparaat." : "Aanzetten is niet gelukt.";
      if (answer.ok) window.location.reload();
    } catch (error) {
      status.textContent = "Aanzetten is niet gelukt: deze browser staat meldingen niet toe.";
    }
  });
})();
