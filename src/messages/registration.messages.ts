/**
 * Messages of the registration portal (`/register`, SPEC §6, reference §3.1–3.2): sign-in, the enforced
 * registration interrupt (REG-06 wording), reconfirmation (REG-03), adding/confirming/removing methods.
 * Missing fr/de entries fall back to English (a test checks there are none).
 */
import type { CatalogModule } from "./index.ts";

const en = {
  "registration.method_name.email-code": "Email",
  "registration.method_name.sms-code": "Phone (text message)",
  "registration.method_name.voice-mobile": "Phone (call)",
  "registration.method_name.voice-office": "Office phone",
  "registration.method_name.totp": "Authenticator app",
  "registration.method_name.security-questions": "Security questions",
  "registration.method_name.passkey": "Passkey",
  "registration.questions.count_label": "{count} questions answered",
  // errors/catalog.ts codes owned by registration
  "registration.error.sign_in_rate_limited":
    "Too many unsuccessful sign-in attempts. Wait 15 minutes, then try again, or contact your administrator.",
  "registration.error.incomplete": "Register at least {count} methods before confirming your security info.",
  "registration.error.security_info_invalid": "Some of your security info is not valid. Check the highlighted fields.",
  // sign-in
  "registration.title": "Security info",
  "registration.sign_in.heading": "Sign in to set up your security info",
  "registration.sign_in.intro":
    "Your security info lets you reset your password or unlock your account yourself if you ever forget it.",
  "registration.sign_in.identifier": "User name or email",
  "registration.sign_in.password": "Password",
  "registration.sign_in.submit": "Sign in",
  "registration.sign_in.invalid": "Your user name or password is incorrect.",
  "registration.sign_out": "Sign out",
  // interrupt (REG-01/02/06) and reconfirmation (REG-03)
  "registration.interrupt.heading": "Don't lose access to your account!",
  "registration.interrupt.required":
    "Your administrator has required you to verify your authentication information. Register the methods below so that you can reset your password yourself.",
  "registration.interrupt.cancel": "Cancel",
  "registration.interrupt.cancel_help": "You will be asked again the next time you sign in.",
  "registration.reconfirm.heading": "Is your security info still correct?",
  "registration.reconfirm.intro":
    'Your administrator asks you to review your security info every {days} days. Check the methods below: choose "Looks good" if they are correct, or change them.',
  "registration.review.submit": "Looks good",
  "registration.review.done": "Thank you. Your security info is confirmed.",
  // overview
  "registration.overview.heading": "Your security info",
  "registration.overview.greeting": "Signed in as {name}.",
  "registration.overview.requirement": "You need {count} method(s) to reset your password.",
  "registration.overview.registered": "You can reset your password yourself.",
  "registration.overview.not_registered": "You can't reset your password yourself yet: add {count} method(s).",
  "registration.overview.not_in_scope":
    "Self-service password reset is not enabled for your account yet. You can still register your security info.",
  "registration.overview.no_methods": "Your organisation has not enabled any method you can register.",
  "registration.overview.other_heading": "Other security info",
  "registration.overview.other_help": "Your organisation no longer uses these methods. You can remove them.",
  "registration.method.registered": "Registered",
  "registration.method.not_registered": "Not set up",
  "registration.method.pending": "Waiting for confirmation",
  "registration.method.add": "Add",
  "registration.method.change": "Change",
  "registration.method.add_another": "Add another",
  "registration.method.remove": "Remove",
  "registration.method.remove_named": "Remove {name}",
  "registration.method.enter_code": "Enter the code",
  "registration.method.limit": "You have registered the most allowed ({max}).",
  "registration.method.no_self_service": "Set by your administrator.",
  "registration.method.needs_javascript": "Adding this method needs a browser with JavaScript.",
  "registration.prepopulated.heading": "On file: {value}",
  "registration.prepopulated.help": "Your organisation already has this. Confirm that it's yours, or change it.",
  "registration.prepopulated.confirm": "Confirm {value}",
  "registration.added": "Your security info was saved.",
  "registration.became_registered": "You have registered everything needed to reset your password yourself.",
  "registration.removed": "The method was removed.",
  "registration.removed_unregistered":
    "The method was removed. You no longer have enough methods to reset your password yourself: add another one.",
  "registration.back": "Back to your security info",
  "registration.start_over": "Start again",
  // email / phone
  "registration.email.heading": "Email",
  "registration.email.intro":
    "Enter an email address you can read without this account's password. We will send it a code to confirm it.",
  "registration.email.field": "Email address",
  "registration.email.submit": "Send code",
  "registration.phone.heading": "Phone",
  "registration.phone.intro": "Enter your mobile number in international format, for example +1 4255551234.",
  "registration.phone.field": "Mobile phone number",
  "registration.phone.submit": "Send code",
  "registration.confirm.heading": "Enter the code",
  "registration.confirm.intro": "We sent a code to {destination}. It is valid for 5 minutes.",
  "registration.confirm.intro_generic": "Enter the code we sent you. It is valid for 5 minutes.",
  "registration.confirm.field": "Code",
  "registration.confirm.submit": "Confirm",
  // TOTP
  "registration.totp.heading": "Authenticator app",
  "registration.totp.intro":
    "Use any authenticator app (RFC 6238), for example on your phone. Give it a name so you can tell your apps apart.",
  "registration.totp.label_field": "Name",
  "registration.totp.label_hint": "For example: My phone",
  "registration.totp.submit": "Next",
  "registration.totp.scan": "Scan this QR code with your authenticator app.",
  "registration.totp.qr_alt": "QR code to add this account to your authenticator app",
  "registration.totp.manual": "Can't scan it? Enter this key in the app instead:",
  "registration.totp.shown_once": "This key is shown only once. Don't share it.",
  "registration.totp.code_field": "Code from the app",
  "registration.totp.code_submit": "Confirm",
  // security questions
  "registration.questions.heading": "Security questions",
  "registration.questions.intro":
    "Choose {count} different questions and answer each. Answers must be 3 to 40 characters and all different.",
  "registration.questions.question_label": "Question {number}",
  "registration.questions.choose": "Choose a question",
  "registration.questions.answer_label": "Answer {number}",
  "registration.questions.submit": "Save answers",
  "registration.questions.replace_warning": "Saving replaces the answers you registered before.",
  // registration-status API
  "registration.status.api_key_required": "An administrator API key is required.",
} as const;

type Messages = Record<keyof typeof en, string>;

const fr: Messages = {
  "registration.method_name.email-code": "E-mail",
  "registration.method_name.sms-code": "Téléphone (SMS)",
  "registration.method_name.voice-mobile": "Téléphone (appel)",
  "registration.method_name.voice-office": "Téléphone de bureau",
  "registration.method_name.totp": "Application d'authentification",
  "registration.method_name.security-questions": "Questions de sécurité",
  "registration.method_name.passkey": "Clé d'accès",
  "registration.questions.count_label": "{count} questions répondues",
  "registration.error.sign_in_rate_limited":
    "Trop de tentatives de connexion infructueuses. Patientez 15 minutes puis réessayez, ou contactez votre administrateur.",
  "registration.error.incomplete":
    "Enregistrez au moins {count} méthodes avant de confirmer vos informations de sécurité.",
  "registration.error.security_info_invalid":
    "Certaines de vos informations de sécurité ne sont pas valides. Vérifiez les champs signalés.",
  "registration.title": "Informations de sécurité",
  "registration.sign_in.heading": "Connectez-vous pour configurer vos informations de sécurité",
  "registration.sign_in.intro":
    "Vos informations de sécurité vous permettent de réinitialiser votre mot de passe ou de déverrouiller votre compte vous-même si vous l'oubliez.",
  "registration.sign_in.identifier": "Nom d'utilisateur ou e-mail",
  "registration.sign_in.password": "Mot de passe",
  "registration.sign_in.submit": "Se connecter",
  "registration.sign_in.invalid": "Votre nom d'utilisateur ou votre mot de passe est incorrect.",
  "registration.sign_out": "Se déconnecter",
  "registration.interrupt.heading": "Ne perdez pas l'accès à votre compte !",
  "registration.interrupt.required":
    "Votre administrateur vous demande de vérifier vos informations d'authentification. Enregistrez les méthodes ci-dessous pour pouvoir réinitialiser vous-même votre mot de passe.",
  "registration.interrupt.cancel": "Annuler",
  "registration.interrupt.cancel_help": "Cela vous sera redemandé à votre prochaine connexion.",
  "registration.reconfirm.heading": "Vos informations de sécurité sont-elles toujours correctes ?",
  "registration.reconfirm.intro":
    "Votre administrateur vous demande de vérifier vos informations de sécurité tous les {days} jours. Vérifiez les méthodes ci-dessous : choisissez « Tout est correct » si elles sont exactes, ou modifiez-les.",
  "registration.review.submit": "Tout est correct",
  "registration.review.done": "Merci. Vos informations de sécurité sont confirmées.",
  "registration.overview.heading": "Vos informations de sécurité",
  "registration.overview.greeting": "Connecté en tant que {name}.",
  "registration.overview.requirement": "Il vous faut {count} méthode(s) pour réinitialiser votre mot de passe.",
  "registration.overview.registered": "Vous pouvez réinitialiser vous-même votre mot de passe.",
  "registration.overview.not_registered":
    "Vous ne pouvez pas encore réinitialiser vous-même votre mot de passe : ajoutez {count} méthode(s).",
  "registration.overview.not_in_scope":
    "La réinitialisation en libre-service n'est pas encore activée pour votre compte. Vous pouvez tout de même enregistrer vos informations de sécurité.",
  "registration.overview.no_methods": "Votre organisation n'a activé aucune méthode que vous pouvez enregistrer.",
  "registration.overview.other_heading": "Autres informations de sécurité",
  "registration.overview.other_help": "Votre organisation n'utilise plus ces méthodes. Vous pouvez les supprimer.",
  "registration.method.registered": "Enregistrée",
  "registration.method.not_registered": "Non configurée",
  "registration.method.pending": "En attente de confirmation",
  "registration.method.add": "Ajouter",
  "registration.method.change": "Modifier",
  "registration.method.add_another": "En ajouter une autre",
  "registration.method.remove": "Supprimer",
  "registration.method.remove_named": "Supprimer {name}",
  "registration.method.enter_code": "Saisir le code",
  "registration.method.limit": "Vous avez enregistré le nombre maximal autorisé ({max}).",
  "registration.method.no_self_service": "Défini par votre administrateur.",
  "registration.method.needs_javascript": "L'ajout de cette méthode nécessite un navigateur avec JavaScript.",
  "registration.prepopulated.heading": "Enregistré : {value}",
  "registration.prepopulated.help":
    "Votre organisation dispose déjà de cette information. Confirmez qu'elle est à vous, ou modifiez-la.",
  "registration.prepopulated.confirm": "Confirmer {value}",
  "registration.added": "Vos informations de sécurité ont été enregistrées.",
  "registration.became_registered":
    "Vous avez enregistré tout ce qu'il faut pour réinitialiser vous-même votre mot de passe.",
  "registration.removed": "La méthode a été supprimée.",
  "registration.removed_unregistered":
    "La méthode a été supprimée. Vous n'avez plus assez de méthodes pour réinitialiser vous-même votre mot de passe : ajoutez-en une autre.",
  "registration.back": "Retour à vos informations de sécurité",
  "registration.start_over": "Recommencer",
  "registration.email.heading": "E-mail",
  "registration.email.intro":
    "Saisissez une adresse e-mail que vous pouvez consulter sans le mot de passe de ce compte. Nous y enverrons un code pour la confirmer.",
  "registration.email.field": "Adresse e-mail",
  "registration.email.submit": "Envoyer le code",
  "registration.phone.heading": "Téléphone",
  "registration.phone.intro": "Saisissez votre numéro de mobile au format international, par exemple +33 612345678.",
  "registration.phone.field": "Numéro de téléphone mobile",
  "registration.phone.submit": "Envoyer le code",
  "registration.confirm.heading": "Saisissez le code",
  "registration.confirm.intro": "Nous avons envoyé un code à {destination}. Il est valable 5 minutes.",
  "registration.confirm.intro_generic": "Saisissez le code que nous vous avons envoyé. Il est valable 5 minutes.",
  "registration.confirm.field": "Code",
  "registration.confirm.submit": "Confirmer",
  "registration.totp.heading": "Application d'authentification",
  "registration.totp.intro":
    "Utilisez n'importe quelle application d'authentification (RFC 6238), par exemple sur votre téléphone. Donnez-lui un nom pour distinguer vos applications.",
  "registration.totp.label_field": "Nom",
  "registration.totp.label_hint": "Par exemple : Mon téléphone",
  "registration.totp.submit": "Suivant",
  "registration.totp.scan": "Scannez ce code QR avec votre application d'authentification.",
  "registration.totp.qr_alt": "Code QR pour ajouter ce compte à votre application d'authentification",
  "registration.totp.manual": "Impossible de le scanner ? Saisissez plutôt cette clé dans l'application :",
  "registration.totp.shown_once": "Cette clé n'est affichée qu'une seule fois. Ne la partagez pas.",
  "registration.totp.code_field": "Code de l'application",
  "registration.totp.code_submit": "Confirmer",
  "registration.questions.heading": "Questions de sécurité",
  "registration.questions.intro":
    "Choisissez {count} questions différentes et répondez à chacune. Les réponses doivent comporter de 3 à 40 caractères et être toutes différentes.",
  "registration.questions.question_label": "Question {number}",
  "registration.questions.choose": "Choisissez une question",
  "registration.questions.answer_label": "Réponse {number}",
  "registration.questions.submit": "Enregistrer les réponses",
  "registration.questions.replace_warning": "L'enregistrement remplace les réponses enregistrées auparavant.",
  "registration.status.api_key_required": "Une clé d'API administrateur est requise.",
};

const de: Messages = {
  "registration.method_name.email-code": "E-Mail",
  "registration.method_name.sms-code": "Telefon (SMS)",
  "registration.method_name.voice-mobile": "Telefon (Anruf)",
  "registration.method_name.voice-office": "Bürotelefon",
  "registration.method_name.totp": "Authenticator-App",
  "registration.method_name.security-questions": "Sicherheitsfragen",
  "registration.method_name.passkey": "Passkey",
  "registration.questions.count_label": "{count} Fragen beantwortet",
  "registration.error.sign_in_rate_limited":
    "Zu viele fehlgeschlagene Anmeldeversuche. Warten Sie 15 Minuten und versuchen Sie es erneut, oder wenden Sie sich an Ihren Administrator.",
  "registration.error.incomplete":
    "Registrieren Sie mindestens {count} Methoden, bevor Sie Ihre Sicherheitsinformationen bestätigen.",
  "registration.error.security_info_invalid":
    "Einige Ihrer Sicherheitsinformationen sind ungültig. Prüfen Sie die markierten Felder.",
  "registration.title": "Sicherheitsinformationen",
  "registration.sign_in.heading": "Melden Sie sich an, um Ihre Sicherheitsinformationen einzurichten",
  "registration.sign_in.intro":
    "Mit Ihren Sicherheitsinformationen können Sie Ihr Kennwort selbst zurücksetzen oder Ihr Konto entsperren, falls Sie es vergessen.",
  "registration.sign_in.identifier": "Benutzername oder E-Mail",
  "registration.sign_in.password": "Kennwort",
  "registration.sign_in.submit": "Anmelden",
  "registration.sign_in.invalid": "Ihr Benutzername oder Kennwort ist falsch.",
  "registration.sign_out": "Abmelden",
  "registration.interrupt.heading": "Verlieren Sie nicht den Zugriff auf Ihr Konto!",
  "registration.interrupt.required":
    "Ihr Administrator verlangt, dass Sie Ihre Authentifizierungsinformationen überprüfen. Registrieren Sie die folgenden Methoden, damit Sie Ihr Kennwort selbst zurücksetzen können.",
  "registration.interrupt.cancel": "Abbrechen",
  "registration.interrupt.cancel_help": "Sie werden bei der nächsten Anmeldung erneut gefragt.",
  "registration.reconfirm.heading": "Sind Ihre Sicherheitsinformationen noch aktuell?",
  "registration.reconfirm.intro":
    "Ihr Administrator bittet Sie, Ihre Sicherheitsinformationen alle {days} Tage zu überprüfen. Prüfen Sie die folgenden Methoden: Wählen Sie „Sieht gut aus“, wenn sie stimmen, oder ändern Sie sie.",
  "registration.review.submit": "Sieht gut aus",
  "registration.review.done": "Vielen Dank. Ihre Sicherheitsinformationen sind bestätigt.",
  "registration.overview.heading": "Ihre Sicherheitsinformationen",
  "registration.overview.greeting": "Angemeldet als {name}.",
  "registration.overview.requirement": "Sie benötigen {count} Methode(n), um Ihr Kennwort zurückzusetzen.",
  "registration.overview.registered": "Sie können Ihr Kennwort selbst zurücksetzen.",
  "registration.overview.not_registered":
    "Sie können Ihr Kennwort noch nicht selbst zurücksetzen: Fügen Sie {count} Methode(n) hinzu.",
  "registration.overview.not_in_scope":
    "Die Self-Service-Kennwortzurücksetzung ist für Ihr Konto noch nicht aktiviert. Sie können Ihre Sicherheitsinformationen trotzdem registrieren.",
  "registration.overview.no_methods": "Ihre Organisation hat keine Methode aktiviert, die Sie registrieren können.",
  "registration.overview.other_heading": "Weitere Sicherheitsinformationen",
  "registration.overview.other_help":
    "Ihre Organisation verwendet diese Methoden nicht mehr. Sie können sie entfernen.",
  "registration.method.registered": "Registriert",
  "registration.method.not_registered": "Nicht eingerichtet",
  "registration.method.pending": "Wartet auf Bestätigung",
  "registration.method.add": "Hinzufügen",
  "registration.method.change": "Ändern",
  "registration.method.add_another": "Weitere hinzufügen",
  "registration.method.remove": "Entfernen",
  "registration.method.remove_named": "{name} entfernen",
  "registration.method.enter_code": "Code eingeben",
  "registration.method.limit": "Sie haben die zulässige Höchstzahl ({max}) registriert.",
  "registration.method.no_self_service": "Von Ihrem Administrator festgelegt.",
  "registration.method.needs_javascript": "Zum Hinzufügen dieser Methode wird ein Browser mit JavaScript benötigt.",
  "registration.prepopulated.heading": "Hinterlegt: {value}",
  "registration.prepopulated.help":
    "Ihre Organisation hat diese Angabe bereits. Bestätigen Sie, dass sie Ihnen gehört, oder ändern Sie sie.",
  "registration.prepopulated.confirm": "{value} bestätigen",
  "registration.added": "Ihre Sicherheitsinformationen wurden gespeichert.",
  "registration.became_registered": "Sie haben alles registriert, um Ihr Kennwort selbst zurücksetzen zu können.",
  "registration.removed": "Die Methode wurde entfernt.",
  "registration.removed_unregistered":
    "Die Methode wurde entfernt. Sie haben nicht mehr genug Methoden, um Ihr Kennwort selbst zurückzusetzen: Fügen Sie eine weitere hinzu.",
  "registration.back": "Zurück zu Ihren Sicherheitsinformationen",
  "registration.start_over": "Neu beginnen",
  "registration.email.heading": "E-Mail",
  "registration.email.intro":
    "Geben Sie eine E-Mail-Adresse ein, die Sie ohne das Kennwort dieses Kontos lesen können. Wir senden einen Code zur Bestätigung dorthin.",
  "registration.email.field": "E-Mail-Adresse",
  "registration.email.submit": "Code senden",
  "registration.phone.heading": "Telefon",
  "registration.phone.intro": "Geben Sie Ihre Mobilnummer im internationalen Format ein, zum Beispiel +49 1701234567.",
  "registration.phone.field": "Mobiltelefonnummer",
  "registration.phone.submit": "Code senden",
  "registration.confirm.heading": "Code eingeben",
  "registration.confirm.intro": "Wir haben einen Code an {destination} gesendet. Er ist 5 Minuten gültig.",
  "registration.confirm.intro_generic":
    "Geben Sie den Code ein, den wir Ihnen gesendet haben. Er ist 5 Minuten gültig.",
  "registration.confirm.field": "Code",
  "registration.confirm.submit": "Bestätigen",
  "registration.totp.heading": "Authenticator-App",
  "registration.totp.intro":
    "Verwenden Sie eine beliebige Authenticator-App (RFC 6238), zum Beispiel auf Ihrem Telefon. Geben Sie ihr einen Namen, damit Sie Ihre Apps unterscheiden können.",
  "registration.totp.label_field": "Name",
  "registration.totp.label_hint": "Zum Beispiel: Mein Telefon",
  "registration.totp.submit": "Weiter",
  "registration.totp.scan": "Scannen Sie diesen QR-Code mit Ihrer Authenticator-App.",
  "registration.totp.qr_alt": "QR-Code, um dieses Konto Ihrer Authenticator-App hinzuzufügen",
  "registration.totp.manual": "Scannen nicht möglich? Geben Sie stattdessen diesen Schlüssel in der App ein:",
  "registration.totp.shown_once": "Dieser Schlüssel wird nur einmal angezeigt. Geben Sie ihn nicht weiter.",
  "registration.totp.code_field": "Code aus der App",
  "registration.totp.code_submit": "Bestätigen",
  "registration.questions.heading": "Sicherheitsfragen",
  "registration.questions.intro":
    "Wählen Sie {count} verschiedene Fragen und beantworten Sie jede. Antworten müssen 3 bis 40 Zeichen lang und alle verschieden sein.",
  "registration.questions.question_label": "Frage {number}",
  "registration.questions.choose": "Wählen Sie eine Frage",
  "registration.questions.answer_label": "Antwort {number}",
  "registration.questions.submit": "Antworten speichern",
  "registration.questions.replace_warning": "Beim Speichern werden Ihre bisher registrierten Antworten ersetzt.",
  "registration.status.api_key_required": "Ein Administrator-API-Schlüssel ist erforderlich.",
};

const messages: CatalogModule = { en, fr, de };
export default messages;
