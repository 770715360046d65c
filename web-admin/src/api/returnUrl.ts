/**
 * Where the IT admin goes when setup is done: the `return_url` of the setup link they redeemed
 * (the app's own settings page, typically), kept for this browser tab only.
 */
const KEY = 'roster.return_url';

export function rememberReturnUrl(url: string | null | undefined): void {
  try {
    if (url && /^https?:\/\//i.test(url)) sessionStorage.setItem(KEY, url);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage disabled: the link is simply not offered.
  }
}

export function returnUrl(): { href: string; host: string } | null {
  try {
    const href = sessionStorage.getItem(KEY);
    if (!href) return null;
    return { href, host: new URL(href).host };
  } catch {
    return null;
  }
}
