/**
 * Messages of the policy module: password-policy problems (reference §6.2 plain wording), the strength meter
 * (ids returned by `PasswordPolicyService.strength`), and eligibility reasons for the admin diagnostic.
 * Missing fr/de entries fall back to English.
 */
import type { CatalogModule } from "./index.ts";

const en = {
  // password-policy.ts (PasswordCheck problems)
  "password.too_short": "Use at least {min} characters.",
  "password.too_long": "Use at most {max} characters.",
  "password.classes": "Use at least {count} of these: lowercase letters, uppercase letters, digits and symbols.",
  "password.current": "Your new password must be different from your current password.",
  "password.history": "You have used this password recently. Choose a different one.",
  "password.banned":
    "Unfortunately, your password contains a word, phrase, or pattern that makes your password easily guessable. Please try again with a different password.",
  "password.custom_banned":
    "Unfortunately, you can't use that password because it contains words or characters that have been blocked by your administrator. Please try again with a different password.",
  "password.seen_before": "We've seen that password too many times before. Choose something harder to guess.",
  "password.personal": "Choose a password that's harder for people to guess.",
  // strength meter
  "strength.score.0": "Very weak",
  "strength.score.1": "Weak",
  "strength.score.2": "Fair",
  "strength.score.3": "Strong",
  "strength.score.4": "Very strong",
  "strength.warning.straightRow": "Straight rows of keys on your keyboard are easy to guess.",
  "strength.warning.keyPattern": "Short keyboard patterns are easy to guess.",
  "strength.warning.simpleRepeat": 'Repeated characters like "aaa" are easy to guess.',
  "strength.warning.extendedRepeat": 'Repeated character patterns like "abcabcabc" are easy to guess.',
  "strength.warning.sequences": 'Common character sequences like "abc" are easy to guess.',
  "strength.warning.recentYears": "Recent years are easy to guess.",
  "strength.warning.dates": "Dates are easy to guess.",
  "strength.warning.topTen": "This is a heavily used password.",
  "strength.warning.topHundred": "This is a frequently used password.",
  "strength.warning.common": "This is a commonly used password.",
  "strength.warning.similarToCommon": "This is similar to a commonly used password.",
  "strength.warning.wordByItself": "Single words are easy to guess.",
  "strength.warning.namesByThemselves": "Single names or surnames are easy to guess.",
  "strength.warning.commonNames": "Common names and surnames are easy to guess.",
  "strength.warning.userInputs": "Don't use your name or other personal information.",
  "strength.warning.pwned": "Your password was exposed by a data breach on the Internet.",
  "strength.suggestion.l33t": "Avoid predictable letter substitutions like '@' for 'a'.",
  "strength.suggestion.reverseWords": "Avoid reversed spellings of common words.",
  "strength.suggestion.allUppercase": "Capitalize some, but not all letters.",
  "strength.suggestion.capitalization": "Capitalize more than the first letter.",
  "strength.suggestion.dates": "Avoid dates and years that are associated with you.",
  "strength.suggestion.recentYears": "Avoid recent years.",
  "strength.suggestion.associatedYears": "Avoid years that are associated with you.",
  "strength.suggestion.sequences": "Avoid common character sequences.",
  "strength.suggestion.repeated": "Avoid repeated words and characters.",
  "strength.suggestion.longerKeyboardPattern":
    "Use longer keyboard patterns and change typing direction multiple times.",
  "strength.suggestion.anotherWord": "Add more words that are less common.",
  "strength.suggestion.useWords": "Use multiple words, but avoid common phrases.",
  "strength.suggestion.noNeed": "You can create strong passwords without using symbols, numbers, or uppercase letters.",
  "strength.suggestion.pwned": "If you use this password elsewhere, you should change it.",
  // eligibility reasons (admin "why can't this user reset?")
  "eligibility.reason.policy_none": "Password reset has been disabled entirely (policy set to None).",
  "eligibility.reason.not_in_scope": "This user is not a member of the groups selected for password reset.",
  "eligibility.reason.admin_sspr_disabled": "Self-service password reset is switched off for administrators.",
  "eligibility.reason.not_registered":
    "This user's account has insufficient authentication methods defined. Add authentication info to resolve this.",
  "eligibility.reason.account_disabled": "The account is disabled.",
  "eligibility.reason.protected_account":
    "The account is a protected administrator account and cannot be reset by the service account.",
  "eligibility.reason.writeback_disabled": "Password write-back to the directory is switched off in the policy.",
};

const fr: Record<keyof typeof en, string> = {
  "password.too_short": "Utilisez au moins {min} caractères.",
  "password.too_long": "Utilisez au plus {max} caractères.",
  "password.classes": "Utilisez au moins {count} de ces types : minuscules, majuscules, chiffres et symboles.",
  "password.current": "Votre nouveau mot de passe doit être différent du mot de passe actuel.",
  "password.history": "Vous avez utilisé ce mot de passe récemment. Choisissez-en un autre.",
  "password.banned":
    "Votre mot de passe contient un mot, une expression ou un motif qui le rend facile à deviner. Réessayez avec un autre mot de passe.",
  "password.custom_banned":
    "Vous ne pouvez pas utiliser ce mot de passe, car il contient des mots ou des caractères bloqués par votre administrateur. Réessayez avec un autre mot de passe.",
  "password.seen_before":
    "Ce mot de passe est bien trop courant. Choisissez quelque chose de plus difficile à deviner.",
  "password.personal": "Choisissez un mot de passe plus difficile à deviner pour les autres.",
  "strength.score.0": "Très faible",
  "strength.score.1": "Faible",
  "strength.score.2": "Moyen",
  "strength.score.3": "Fort",
  "strength.score.4": "Très fort",
  "strength.warning.common": "Ce mot de passe est couramment utilisé.",
  "strength.warning.topTen": "Ce mot de passe est extrêmement utilisé.",
  "strength.warning.topHundred": "Ce mot de passe est très souvent utilisé.",
  "strength.warning.wordByItself": "Un mot seul est facile à deviner.",
  "strength.warning.dates": "Les dates sont faciles à deviner.",
  "strength.warning.sequences": "Les suites courantes comme « abc » sont faciles à deviner.",
  "strength.suggestion.useWords": "Utilisez plusieurs mots, en évitant les expressions courantes.",
  "strength.suggestion.anotherWord": "Ajoutez des mots moins courants.",
  "strength.suggestion.noNeed": "Vous pouvez créer un mot de passe fort sans symboles, chiffres ni majuscules.",
  "strength.warning.straightRow": "Les rangées de touches du clavier sont faciles à deviner.",
  "strength.warning.keyPattern": "Les motifs courts du clavier sont faciles à deviner.",
  "strength.warning.simpleRepeat": "Les caractères répétés comme « aaa » sont faciles à deviner.",
  "strength.warning.extendedRepeat": "Les motifs répétés comme « abcabcabc » sont faciles à deviner.",
  "strength.warning.recentYears": "Les années récentes sont faciles à deviner.",
  "strength.warning.similarToCommon": "Ce mot de passe ressemble à un mot de passe courant.",
  "strength.warning.namesByThemselves": "Un prénom ou un nom seul est facile à deviner.",
  "strength.warning.commonNames": "Les prénoms et noms courants sont faciles à deviner.",
  "strength.warning.userInputs": "N'utilisez pas votre nom ni d'autres informations personnelles.",
  "strength.warning.pwned": "Ce mot de passe a été exposé lors d'une fuite de données sur Internet.",
  "strength.suggestion.l33t": "Évitez les substitutions prévisibles comme « @ » pour « a ».",
  "strength.suggestion.reverseWords": "Évitez d'écrire des mots courants à l'envers.",
  "strength.suggestion.allUppercase": "Mettez quelques lettres en majuscule, mais pas toutes.",
  "strength.suggestion.capitalization": "Mettez en majuscule d'autres lettres que la première.",
  "strength.suggestion.dates": "Évitez les dates et années qui vous sont associées.",
  "strength.suggestion.recentYears": "Évitez les années récentes.",
  "strength.suggestion.associatedYears": "Évitez les années qui vous sont associées.",
  "strength.suggestion.sequences": "Évitez les suites de caractères courantes.",
  "strength.suggestion.repeated": "Évitez les mots et caractères répétés.",
  "strength.suggestion.longerKeyboardPattern":
    "Utilisez des motifs de clavier plus longs et changez souvent de direction.",
  "strength.suggestion.pwned": "Si vous utilisez ce mot de passe ailleurs, changez-le.",
  "eligibility.reason.policy_none":
    "La réinitialisation du mot de passe est entièrement désactivée (stratégie « Aucun »).",
  "eligibility.reason.not_in_scope": "Cet utilisateur n'est membre d'aucun des groupes sélectionnés.",
  "eligibility.reason.admin_sspr_disabled":
    "La réinitialisation en libre-service est désactivée pour les administrateurs.",
  "eligibility.reason.not_registered":
    "Ce compte n'a pas assez de méthodes d'authentification. Ajoutez des informations d'authentification.",
  "eligibility.reason.account_disabled": "Le compte est désactivé.",
  "eligibility.reason.protected_account":
    "Ce compte d'administrateur protégé ne peut pas être réinitialisé par le compte de service.",
  "eligibility.reason.writeback_disabled":
    "L'écriture du mot de passe dans l'annuaire est désactivée dans la stratégie.",
};

const de: Record<keyof typeof en, string> = {
  "password.too_short": "Verwenden Sie mindestens {min} Zeichen.",
  "password.too_long": "Verwenden Sie höchstens {max} Zeichen.",
  "password.classes":
    "Verwenden Sie mindestens {count} dieser Arten: Kleinbuchstaben, Großbuchstaben, Ziffern und Sonderzeichen.",
  "password.current": "Ihr neues Kennwort muss sich von Ihrem aktuellen Kennwort unterscheiden.",
  "password.history": "Sie haben dieses Kennwort kürzlich verwendet. Wählen Sie ein anderes.",
  "password.banned":
    "Ihr Kennwort enthält ein Wort, eine Phrase oder ein Muster, das es leicht erratbar macht. Bitte versuchen Sie es mit einem anderen Kennwort.",
  "password.custom_banned":
    "Sie können dieses Kennwort nicht verwenden, da es Wörter oder Zeichen enthält, die Ihr Administrator gesperrt hat. Bitte versuchen Sie es mit einem anderen Kennwort.",
  "password.seen_before": "Dieses Kennwort ist viel zu verbreitet. Wählen Sie etwas, das schwerer zu erraten ist.",
  "password.personal": "Wählen Sie ein Kennwort, das für andere schwerer zu erraten ist.",
  "strength.score.0": "Sehr schwach",
  "strength.score.1": "Schwach",
  "strength.score.2": "Mittel",
  "strength.score.3": "Stark",
  "strength.score.4": "Sehr stark",
  "strength.warning.common": "Dies ist ein häufig verwendetes Kennwort.",
  "strength.warning.topTen": "Dies ist ein extrem häufig verwendetes Kennwort.",
  "strength.warning.topHundred": "Dies ist ein sehr häufig verwendetes Kennwort.",
  "strength.warning.wordByItself": "Einzelne Wörter sind leicht zu erraten.",
  "strength.warning.dates": "Daten sind leicht zu erraten.",
  "strength.warning.sequences": "Häufige Zeichenfolgen wie „abc“ sind leicht zu erraten.",
  "strength.suggestion.useWords": "Verwenden Sie mehrere Wörter, aber keine gängigen Redewendungen.",
  "strength.suggestion.anotherWord": "Fügen Sie weniger gebräuchliche Wörter hinzu.",
  "strength.suggestion.noNeed":
    "Sie können starke Kennwörter auch ohne Sonderzeichen, Ziffern oder Großbuchstaben erstellen.",
  "strength.warning.straightRow": "Gerade Tastenreihen auf der Tastatur sind leicht zu erraten.",
  "strength.warning.keyPattern": "Kurze Tastaturmuster sind leicht zu erraten.",
  "strength.warning.simpleRepeat": "Wiederholte Zeichen wie „aaa“ sind leicht zu erraten.",
  "strength.warning.extendedRepeat": "Wiederholte Zeichenmuster wie „abcabcabc“ sind leicht zu erraten.",
  "strength.warning.recentYears": "Jahreszahlen der letzten Jahre sind leicht zu erraten.",
  "strength.warning.similarToCommon": "Dies ähnelt einem häufig verwendeten Kennwort.",
  "strength.warning.namesByThemselves": "Einzelne Vor- oder Nachnamen sind leicht zu erraten.",
  "strength.warning.commonNames": "Häufige Vor- und Nachnamen sind leicht zu erraten.",
  "strength.warning.userInputs": "Verwenden Sie weder Ihren Namen noch andere persönliche Angaben.",
  "strength.warning.pwned": "Dieses Kennwort wurde bei einem Datenleck im Internet veröffentlicht.",
  "strength.suggestion.l33t": "Vermeiden Sie vorhersehbare Ersetzungen wie „@“ für „a“.",
  "strength.suggestion.reverseWords": "Vermeiden Sie rückwärts geschriebene gängige Wörter.",
  "strength.suggestion.allUppercase": "Schreiben Sie einige, aber nicht alle Buchstaben groß.",
  "strength.suggestion.capitalization": "Schreiben Sie nicht nur den ersten Buchstaben groß.",
  "strength.suggestion.dates": "Vermeiden Sie Daten und Jahreszahlen, die mit Ihnen zu tun haben.",
  "strength.suggestion.recentYears": "Vermeiden Sie Jahreszahlen der letzten Jahre.",
  "strength.suggestion.associatedYears": "Vermeiden Sie Jahreszahlen, die mit Ihnen zu tun haben.",
  "strength.suggestion.sequences": "Vermeiden Sie gängige Zeichenfolgen.",
  "strength.suggestion.repeated": "Vermeiden Sie wiederholte Wörter und Zeichen.",
  "strength.suggestion.longerKeyboardPattern":
    "Verwenden Sie längere Tastaturmuster und wechseln Sie oft die Richtung.",
  "strength.suggestion.pwned": "Wenn Sie dieses Kennwort auch anderswo verwenden, ändern Sie es.",
  "eligibility.reason.policy_none": "Die Kennwortzurücksetzung ist vollständig deaktiviert (Richtlinie „Keine“).",
  "eligibility.reason.not_in_scope": "Dieser Benutzer ist in keiner der ausgewählten Gruppen.",
  "eligibility.reason.admin_sspr_disabled":
    "Die Self-Service-Kennwortzurücksetzung ist für Administratoren ausgeschaltet.",
  "eligibility.reason.not_registered":
    "Für dieses Konto sind nicht genügend Authentifizierungsmethoden hinterlegt. Fügen Sie Authentifizierungsdaten hinzu.",
  "eligibility.reason.account_disabled": "Das Konto ist deaktiviert.",
  "eligibility.reason.protected_account":
    "Dieses geschützte Administratorkonto kann nicht vom Dienstkonto zurückgesetzt werden.",
  "eligibility.reason.writeback_disabled":
    "Das Zurückschreiben von Kennwörtern ins Verzeichnis ist in der Richtlinie ausgeschaltet.",
};

const messages: CatalogModule = { en, fr, de };
export default messages;
