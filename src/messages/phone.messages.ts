/** Phone (SMS / voice) and passkey methods. */
import type { CatalogModule } from "./index.ts";

const messages: CatalogModule = {
  en: {
    "method.sms-code.label": "Text my mobile phone",
    "method.voice-mobile.label": "Call my mobile phone",
    "method.voice-office.label": "Call my office phone",
    "method.passkey.label": "Use a passkey",
    "method.phone.ask_destination":
      "Enter your full phone number ({hint}), with the country code, so that we can send you a code.",
    "method.phone.enter_code": "If the number matches our records, we sent a code to it. Enter the code.",
    "method.phone.empty": "Enter a phone number.",
    "method.phone.invalid": "Enter a valid phone number with its country code, like +1 4255551234.",
    "method.phone.too_long": "That phone number is too long.",
    "method.phone.cap": "We can't send more codes to this number right now. Try again later or use another method.",
    "method.phone.code_sent": "We sent a code to {destination}. Enter it to confirm the number.",
    "method.phone.delivery_sms": "Text me a code",
    "method.phone.delivery_voice": "Call me with a code",
    "method.passkey.prompt": "Use the passkey saved on this device or your security key.",
    "method.passkey.failed": "That passkey could not be verified. Try again, or choose another method.",
    "method.passkey.expired": "The passkey set-up took too long. Start again.",
    "method.passkey.name": "Passkey name",
    "method.passkey.needs_js":
      "Passkeys need JavaScript in your browser. Choose another method, or turn JavaScript on.",
  },
  fr: {
    "method.sms-code.label": "Envoyer un SMS à mon téléphone mobile",
    "method.voice-mobile.label": "Appeler mon téléphone mobile",
    "method.voice-office.label": "Appeler mon téléphone de bureau",
    "method.passkey.label": "Utiliser une clé d'accès",
    "method.phone.ask_destination":
      "Saisissez votre numéro complet ({hint}), avec l'indicatif du pays, pour recevoir un code.",
    "method.phone.enter_code": "Si le numéro correspond à nos données, nous y avons envoyé un code. Saisissez-le.",
    "method.phone.empty": "Saisissez un numéro de téléphone.",
    "method.phone.invalid": "Saisissez un numéro valide avec l'indicatif du pays, par exemple +33 612345678.",
    "method.phone.too_long": "Ce numéro est trop long.",
    "method.phone.cap":
      "Nous ne pouvons plus envoyer de code à ce numéro pour le moment. Réessayez plus tard ou choisissez une autre méthode.",
    "method.phone.code_sent": "Nous avons envoyé un code au {destination}. Saisissez-le pour confirmer le numéro.",
    "method.phone.delivery_sms": "M'envoyer un code par SMS",
    "method.phone.delivery_voice": "M'appeler avec un code",
    "method.passkey.prompt": "Utilisez la clé d'accès enregistrée sur cet appareil ou votre clé de sécurité.",
    "method.passkey.failed": "Cette clé d'accès n'a pas pu être vérifiée. Réessayez ou choisissez une autre méthode.",
    "method.passkey.expired": "La configuration de la clé d'accès a pris trop de temps. Recommencez.",
    "method.passkey.name": "Nom de la clé d'accès",
    "method.passkey.needs_js":
      "Les clés d'accès nécessitent JavaScript. Choisissez une autre méthode ou activez JavaScript.",
  },
  de: {
    "method.sms-code.label": "SMS an mein Mobiltelefon senden",
    "method.voice-mobile.label": "Mein Mobiltelefon anrufen",
    "method.voice-office.label": "Mein Bürotelefon anrufen",
    "method.passkey.label": "Passkey verwenden",
    "method.phone.ask_destination":
      "Geben Sie Ihre vollständige Telefonnummer ({hint}) mit Ländervorwahl ein, damit wir Ihnen einen Code senden können.",
    "method.phone.enter_code":
      "Wenn die Nummer mit unseren Daten übereinstimmt, haben wir einen Code gesendet. Geben Sie ihn ein.",
    "method.phone.empty": "Geben Sie eine Telefonnummer ein.",
    "method.phone.invalid": "Geben Sie eine gültige Nummer mit Ländervorwahl ein, z. B. +49 15112345678.",
    "method.phone.too_long": "Diese Telefonnummer ist zu lang.",
    "method.phone.cap":
      "An diese Nummer können gerade keine weiteren Codes gesendet werden. Versuchen Sie es später oder wählen Sie eine andere Methode.",
    "method.phone.code_sent":
      "Wir haben einen Code an {destination} gesendet. Geben Sie ihn ein, um die Nummer zu bestätigen.",
    "method.phone.delivery_sms": "Code per SMS senden",
    "method.phone.delivery_voice": "Code per Anruf erhalten",
    "method.passkey.prompt":
      "Verwenden Sie den auf diesem Gerät gespeicherten Passkey oder Ihren Sicherheitsschlüssel.",
    "method.passkey.failed":
      "Dieser Passkey konnte nicht geprüft werden. Versuchen Sie es erneut oder wählen Sie eine andere Methode.",
    "method.passkey.expired": "Die Passkey-Einrichtung hat zu lange gedauert. Beginnen Sie erneut.",
    "method.passkey.name": "Name des Passkeys",
    "method.passkey.needs_js":
      "Passkeys benötigen JavaScript. Wählen Sie eine andere Methode oder aktivieren Sie JavaScript.",
  },
};

export default messages;
