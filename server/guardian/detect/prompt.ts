// Prompt-injection detection: pattern families over several normalised views of the text,
// combined into one score. Each rule is a general phrase pattern for a family of attacks
// (instruction override, persona switch, system-prompt extraction, ...), never a copy of a
// known payload. Weights say how strongly a match alone indicates an injection; several
// weak signals together (a persona plus "no restrictions") add up past the threshold.
import { compact, textViewsDetailed } from "./normalize.ts";
import { combine, threshold, type Detection, type DetectOptions } from "./types.ts";
import { piModel, piProbability } from "./pi-model/classifier.ts";

export interface PromptRule {
  id: string;
  family: string;
  weight: number;
  re: RegExp;
  /** "text": normalised views (default). "compact": letters-only view, for spaced-out payloads. */
  view?: "text" | "compact";
  /** Optional second look at a view `re` matched (e.g. to tell SQL keywords from shouting). */
  check?: (view: string) => boolean;
}

// All-caps runs in SQL text are keywords, not shouting.
const SQL_WORDS = new Set("SELECT FROM WHERE AND OR NOT NULL INSERT INTO VALUES UPDATE SET DELETE CREATE ALTER DROP TABLE VIEW PROCEDURE PROC FUNCTION TRIGGER INDEX ON AS IS IN BY GROUP ORDER HAVING JOIN LEFT RIGHT INNER OUTER CROSS UNION ALL EXEC EXECUTE BEGIN END IF ELSE THEN CASE WHEN DECLARE GO USE WITH PRIMARY KEY FOREIGN REFERENCES CONSTRAINT DEFAULT CHECK UNIQUE CLUSTERED NONCLUSTERED IDENTITY VARCHAR NVARCHAR INT BIGINT CHAR NCHAR DATETIME DATE BIT DECIMAL NUMERIC MONEY TOP DISTINCT RETURN RETURNS OUTPUT TRY CATCH TRAN TRANSACTION COMMIT ROLLBACK PRINT RAISERROR NOCOUNT ASC DESC LIKE BETWEEN EXISTS GRANT TO SCHEMA DATABASE ADD COLUMN NO CASCADE MAX MIN COUNT SUM AVG CAST CONVERT ISNULL COALESCE GETDATE OBJECT_ID N DBO SQL THE OF A AN FOR".split(" "));
function shoutedNotSql(view: string): boolean {
  for (const m of view.matchAll(/[A-Z\u00c4\u00d6\u00dc]{2,}(?:\s+[A-Z\u00c4\u00d6\u00dc'!"]{2,}){3,}/g)) {
    const words = m[0].split(/\s+/);
    const sql = words.filter((w) => SQL_WORDS.has(w.replace(/[^A-Z_]/g, ""))).length;
    if (sql * 3 < words.length) return true;
  }
  return false;
}

// A gap of up to n filler words between two key words.
// (No "u" flag anywhere: V8 runs case-insensitive Unicode regexes an order of magnitude slower.)
const W = "a-z0-9\\u00c0-\\u024f";
const gap = (n: number) => `(?:[^${W}]+[${W}']+){0,${n}}[^${W}]+`;
const G1 = gap(1);
const G2 = gap(2);
const G3 = gap(3);
const G5 = gap(5);
const r = (src: string) => new RegExp(src, "i");

const OVERRIDE_VERB = "(?:ignore|ignoring|disregard|disregarding|forget|forgetting|skip|drop|abandon|discard|bypass|override|overrule|neglect|omit|dismiss|delete|erase|remove|throw\\s+away|set\\s+aside|pay\\s+no\\s+attention\\s+to|do\\s+not\\s+follow|don'?t\\s+follow|stop\\s+following|no\\s+longer\\s+follow)";
const PRIOR = "(?:previous|prior|preceding|above|earlier|initial|original|old|former|foregoing|existing|given|current|system|all|any|every|your|the|these|those|other|following|out\\s+of\\s+date)";
const PRIOR_STRONG = "(?:previous|prior|preceding|above|earlier|initial|original|foregoing|system|out\\s+of\\s+date)";
const INSTR_SPECIFIC = "(?:instructions?|directions?|directives?|rules|prompts?|guidelines|programming|training|constraints|restrictions|commands|orders|assignments|tasks)";
const INSTR = "(?:instructions?|directions?|directives?|rules?|prompts?|guidelines?|guidance|context|commands?|orders?|tasks?|assignments?|information|inputs?|text|messages?|conversations?|constraints?|restrictions?|programming|training|policies|policy|settings?|documents?|articles?|requests?|everything|limitations?)";

export const PROMPT_RULES: PromptRule[] = [
  // 1. instruction override
  { id: "pi.override.ignore_previous", family: "override", weight: 0.92, re: r(`\\b${OVERRIDE_VERB}${G2}${PRIOR_STRONG}${G2}${INSTR}\\b`) },
  { id: "pi.override.ignore_instructions", family: "override", weight: 0.85, re: r(`\\b${OVERRIDE_VERB}\\s+(?:(?:all|any|every|of|your|the|my|these|those|its|their)\\s+){1,3}${INSTR_SPECIFIC}\\b`) },
  { id: "pi.override.change_instructions", family: "override", weight: 0.85, re: r(`\\b(?:change|update|replace|modify|alter|rewrite|reset)\\s+(?:all\\s+)?your\\s+(?:instructions|rules|prompt|system\\s+prompt|programming|guidelines|directives)\\b`) },
  { id: "pi.override.ignore_above", family: "override", weight: 0.85, re: r(`\\b(?:ignore|disregard|forget)\\s+(?:(?:all|everything|anything)\\s+)?(?:the\\s+)?(?:above|before|previous|prior|that)\\b`) },
  { id: "pi.override.forget_everything", family: "override", weight: 0.85, re: r(`\\b(?:forget|ignore|disregard|erase)\\s+(?:about\\s+)?(?:everything|all(?:\\s+of)?\\s+(?:that|this|it)|what\\s+(?:you|we|i)\\s+(?:know|said|discussed|told|learned|were\\s+told))`) },
  { id: "pi.override.compact", family: "override", weight: 0.9, view: "compact", re: /(?:ignore|disregard|forget)(?:all|any|the|your)?(?:previous|prior|above|preceding|earlier)(?:instructions|directions|rules|prompts|commands|text)/ },
  { id: "pi.override.instructions_false", family: "override", weight: 0.75, re: r(`\\b(?:previous|prior|above|earlier|preceding|original|old)${G1}(?:instructions|rules|directions|prompts?)\\s+(?:are|were|is)\\s+(?:now\\s+)?(?:false|void|invalid|wrong|cancel+ed|obsolete|revoked|outdated|out\\s+of\\s+date|no\\s+longer\\s+valid)`) },
  { id: "pi.override.despite", family: "override", weight: 0.55, re: r(`\\b(?:despite|regardless\\s+of|contrary\\s+to|notwithstanding)\\s+(?:what|anything|everything|all)\\s+(?:you'?ve|you\\s+have|you\\s+were|i)\\s+(?:been\\s+)?(?:told|said|instructed|programmed)`) },
  { id: "pi.override.end_instructions", family: "delimiter", weight: 0.8, re: r(`(?:end|stop|close)\\s+(?:of\\s+)?(?:the\\s+)?(?:out\\s+of\\s+date\\s+|old\\s+|previous\\s+|system\\s+)?(?:instructions|prompt|rules)\\b`) },
  { id: "pi.override.compact_false", family: "override", weight: 0.75, view: "compact", re: /(?:previous|prior|above|earlier|original)(?:instructions|rules|directions|prompts)(?:are|were|is)(?:now)?(?:false|void|invalid|wrong|obsolete|revoked)/ },
  { id: "pi.override.fake_prior", family: "override", weight: 0.65, re: r(`\\byour\\s+(?:initial|original|previous|real|actual|true|new)\\s+(?:instructions|prompt|rules)\\s+(?:were|are|was|is)\\s*:`) },
  // 2. new instructions / task switch
  { id: "pi.new_task.new_instructions", family: "new_task", weight: 0.6, re: r(`\\b(?:new|further|additional|updated|different|real|true|actual)\\s+(?:instructions?|tasks?|assignments?|orders?|rules?)\\s+(?:follows?|are|is|will\\s+follow|:)`) },
  { id: "pi.new_task.focus_new", family: "new_task", weight: 0.6, re: r(`\\b(?:focus|concentrate)\\s+on\\s+(?:your|the|a|this)\\s+new\\s+(?:task|assignment|instructions?|job|goal)`) },
  { id: "pi.new_task.start_over", family: "new_task", weight: 0.55, re: r(`\\b(?:start|begin)\\s+(?:over|anew|from\\s+(?:scratch|the\\s+front|the\\s+beginning)|again)\\s+(?:with|and)\\b|\\bleave\\s+(?:all\\s+)?(?:the\\s+)?previous\\s+\\w+\\s+behind`) },
  { id: "pi.new_task.praise_then_task", family: "new_task", weight: 0.55, re: r(`\\b(?:well\\s+done|very\\s+(?:good|well)|great\\s+job|excellent(?:\\s+performance)?|simply\\s+great|congratulations|that\\s+(?:is|was)\\s+(?:enough|done|ok)|fantastic|outdone\\s+yourself|good\\s+job|that\\s+was\\s+ok)\\b[^\\n]{0,80}?\\b(?:now|but\\s+now)\\b[^\\n]{0,60}?\\b(?:task|tasks|instructions?|assignments?|help|question|write)\\b`) },
  { id: "pi.new_task.your_instructions_are_now", family: "new_task", weight: 0.75, re: r(`\\byour\\s+(?:new\\s+)?(?:instructions|task|job|goal|purpose|role)\\s+(?:is|are)\\s+now\\b|\\bfrom\\s+now\\s+on\\s*,?\\s+(?:you|your|whenever|every|always|only|the)\\b|\\bfrom\\s+this\\s+(?:moment|point)\\s+(?:on|forward)\\b`) },
  { id: "pi.new_task.instead", family: "new_task", weight: 0.35, re: r(`\\b(?:and|but)\\s+instead\\s+(?:output|print|say|write|tell|respond|reply)\\b|\\binstead\\s*,?\\s+(?:output|print|say|write|tell\\s+me)\\b`) },
  // 3. system prompt extraction
  { id: "pi.extract.system_prompt", family: "extraction", weight: 0.85, re: r(`\\b(?:show|print|reveal|repeat|output|display|tell|list|give|relay|share|disclose|write|spell\\s+check|return|dump|leak|copy|recite|what)${G3}(?:your|the|my|this|all|initial|full)${G2}(?:system\\s+prompt|initial\\s+(?:prompt|instructions)|original\\s+(?:prompt|instructions)|hidden\\s+(?:prompt|instructions)|secret\\s+(?:prompt|instructions)|prompt\\s+texts?|full\\s+prompt|(?:previous|initial|original|system|given)\\s+instructions|instructions\\s+(?:you\\s+(?:have\\s+been|were)\\s+given|verbatim)|(?:system'?s?\\s+)?parameters\\s+and\\s+instructions|prompt\\s+(?:above|with\\s+exemplars))`) },
  { id: "pi.extract.your_instructions", family: "extraction", weight: 0.75, re: r(`\\b(?:what|which)\\s+(?:are|were|is)\\s+your\\s+(?:initial\\s+|original\\s+|exact\\s+|system\\s+|hidden\\s+)?(?:instructions|rules|prompt|guidelines|directives)\\b|\\b(?:list|repeat|print|show|tell\\s+me|respond\\s+with|relay)\\s+(?:me\\s+)?(?:all\\s+|every\\s+)?(?:of\\s+)?your\\s+(?:initials?\\s+|original\\s+|system\\s+|hidden\\s+)?(?:instructions|prompts?|rules)\\b|\\bevery\\s+instructions?\\s+you\\s+have\\s+been\\s+given`) },
  { id: "pi.extract.written_above", family: "extraction", weight: 0.75, re: r(`\\bwhat\\s+(?:was|is|has\\s+been)\\s+written\\s+(?:at\\s+the\\s+beginning|above|before|at\\s+the\\s+start)|\\b(?:information|text)\\s+in\\s+the\\s+prompt\\b|\\b(?:beginning|start)\\s+of\\s+(?:this|the|your)\\s+prompt\\b|\\bcopy\\s+of\\s+the\\s+(?:full\\s+)?prompt\\b|\\bdisplay\\s+this\\s+prompt\\b|\\b(?:sentences?|words?|lines?|text)\\s+(?:before|above|preceding)\\s+(?:the|this)\\s+(?:text|prompt|message|question)\\b`) },
  // 4. role play / persona switch
  { id: "pi.persona.you_are_now", family: "persona", weight: 0.5, re: r(`\\b(?:you\\s+are\\s+now|now\\s+you\\s+are|you'?re\\s+now|now\\s+you'?re|you\\s+will\\s+now\\s+(?:be|act|pose|pretend|simulate|play)|from\\s+now\\s+on\\s+you\\s+(?:are|will\\s+be)|you\\s+are\\s+about\\s+to\\s+(?:immerse|simulate|become|play)|immerse\\s+yourself\\s+(?:into|in)\\s+the\\s+role)\\b`) },
  { id: "pi.persona.act_as", family: "persona", weight: 0.3, re: r(`\\b(?:act|acting|behave|respond|answer|reply)\\s+(?:as|like)\\s+(?:if\\s+you\\s+(?:were|are)\\s+)?(?:a|an|the|my|another|two|if)?\\b|\\b(?:pretend|pose)\\s+(?:to\\s+be|you\\s+are|that\\s+you|as)\\b|\\broleplay(?:ing)?\\b|\\brole[-\\s]play(?:ing)?\\b|\\b(?:take\\s+on|play|playing)\\s+the\\s+role\\s+of\\b|\\bsimulate\\s+(?:being|a|an)\\b`) },
  { id: "pi.persona.role_request", family: "persona", weight: 0.5, re: r(`\\bi\\s+(?:want|would\\s+like|need)\\s+you\\s+to\\s+(?:act|behave|pose|serve)\\s+as\\b|\\bich\\s+möchte,?\\s+dass\\s+(?:sie|du)\\s+als\\b|\\byou\\s+are\\s+(?:role-?playing|playing\\s+the\\s+role)\\b`) },
  { id: "pi.persona.you_are_opening", family: "persona", weight: 0.5, re: /^\W*(?:(?:okay|ok|now|hello|hi|hey|so)\W+)?(?:you\s+are|du\s+bist|sie\s+sind)\s+(?:the\s+|a\s+|an\s+|der\s+|die\s+|das\s+|ein\s+|eine\s+)?[\w\u00c0-\u024f-]+(?:\s+[\w\u00c0-\u024f-]+){0,3}\s*[.,:!]/i },
  { id: "pi.persona.stay_in_character", family: "persona", weight: 0.55, re: r(`\\b(?:stay|remain|stays|remains|staying)\\s+(?:fully\\s+|always\\s+)?in\\s+(?:their\\s+|your\\s+|his\\s+|her\\s+)?(?:character|roles?)\\b|\\b(?:never|not|without)\\s+(?:break(?:ing)?|falling\\s+out\\s+of)\\s+(?:the\\s+)?(?:character|figure|role)|\\bdo\\s+not\\s+break\\s+chara`) },
  { id: "pi.persona.you_are_entity", family: "persona", weight: 0.3, re: /^(?:\s*(?:[Oo]kay|[Oo]k|[Nn]ow|[Hh]ello|[Hh]i|[Hh]ey|[Ww]ell|[Ss]o)[,.!]?)*\s*(?:[Yy]ou\s+are|[Dd]u\s+bist|[Nn]ow\s+you\s+are|[Nn]un\s+bist\s+du)\s+(?:the\s+)?[A-Z\u00c4\u00d6\u00dc][a-z\u00e4\u00f6\u00fc\u00df]+/ },
  // 5. jailbreak names
  { id: "pi.jailbreak.known_names", family: "jailbreak", weight: 0.8, re: r(`\\b(?:DAN|STAN|DUDE|AIM|BetterDAN|AntiGPT|UnGpt|BasedGPT|ChadGPT|LiveGPT|PersonGPT|DeltaGPT|OPPO|NRAF|KEVIN|BISH|SDA|M78|APOPHIS|Maximum|OMEGA|Balakula|UCAR|AlphaBreak|DevMode)\\b(?=[^\\n]{0,200}\\b(?:mode|stands\\s+for|can\\s+do|jailbreak|ChatGPT|GPT|restrictions|filters|rules|AI|model|personality)\\b)|\\bdo\\s+anything\\s+now\\b|\\b(?:named|called|as|mode|known\\s+as)\\s+["“']?jail\\s?break\\b|\\bjail\\s?broken\\b`) },
  { id: "pi.jailbreak.word", family: "jailbreak_word", weight: 0.25, re: r(`\\bjail\\s?br(?:oken|eak)\\b`) },
  { id: "pi.jailbreak.chatgpt_persona", family: "jailbreak", weight: 0.5, re: r(`\\b(?:hello|hi|hey|dear|greetings)\\s*,?\\s+(?:chat\\s?gpt|gpt|claude|bard|llama|gemini|ai)\\b|\\b(?:you\\s+are\\s+not|instead\\s+of|unlike|opposite\\s+(?:of|from))\\s+(?:chat\\s?gpt|openai'?s?\\s+chatgpt)\\b|\\bas\\s+your\\s+knowledge\\s+is\\s+cut\\s+off\\b`) },
  // 6. developer / special modes
  { id: "pi.mode.developer_mode", family: "mode", weight: 0.85, re: r(`\\b(?:developer|dev|debug|god|sudo|admin|maintenance|unrestricted|opposite|jailbreak|DAN|unlocked|evil|uncensored|benchmarking)\\s+mode\\b[^\\n]{0,40}?\\b(?:enabled|on|activated|output|responses?)\\b|\\b(?:enable|activate|enter|simulate|switch\\s+to|turn\\s+on)\\s+(?:the\\s+)?(?:\\w+\\s+){0,3}(?:developer|dev|debug|god|sudo|admin|unrestricted|opposite|jailbreak|DAN|benchmarking)\\s+mode\\b|\\bsafe\\s+mode\\s+(?:off|disabled)\\b|\\bmode\\s+enabled\\b`) },
  // 7. removing restrictions
  { id: "pi.restrictions.no_limits", family: "restrictions", weight: 0.6, re: r(`\\b(?:no|without(?:\\s+any)?|free\\s+(?:of|from)(?:\\s+all)?|not\\s+(?:bound|restricted|limited|constrained|confined)\\s+by(?:\\s+any)?|broken\\s+free\\s+of|freed\\s+from|does\\s+not\\s+have\\s+to\\s+abide\\s+by|do\\s+not\\s+have\\s+to\\s+abide\\s+by|never\\s+restricted\\s+by|never\\s+limited\\s+by)\\s+(?:the\\s+|any\\s+|its\\s+|all\\s+|their\\s+)?(?:(?!to\\b|that\\b|which\\b)\\w+\\s+){0,2}(?:restrictions?|limits|filters?|filtering|censorship|guidelines|rules|ethics|ethical|morals?|moral|principles|confines|boundaries|programming\\s+guidelines|policies)\\b`) },
  { id: "pi.restrictions.policy_evasion", family: "restrictions", weight: 0.6, re: r(`\\b(?:open\\s?ai|anthropic|content|usage|safety)\\s*'?s?\\s+(?:content\\s+)?(?:polic(?:y|ies)|guidelines|rules|restrictions)\\b[^\\n]{0,80}?\\b(?:ignore|bypass|break|don'?t\\s+apply|do\\s+not\\s+apply|no\\s+longer|not\\s+apply|violat|rant|abid|free)|\\b(?:ignore|bypass|break|violate|disregard|not\\s+limited\\s+to)\\s+(?:the\\s+)?(?:open\\s?ai|content|safety|ethical)\\s*'?s?\\s+(?:rules|polic(?:y|ies)|guidelines|filters)|\\blet'?s\\s+(?:ignore|break)\\s+the\\s+(?:\\w+\\s+)?rules\\b`) },
  { id: "pi.restrictions.amoral", family: "restrictions", weight: 0.5, re: r(`\\b(?:completely|totally|purely)?\\s*(?:immoral|amoral|nonmoral|unethical|unfiltered|uncensored|unhinged|unrestricted)\\s+(?:and\\s+\\w+\\s+)?(?:ai|model|chatbot|bot|assistant|response|version|language\\s+model|character)\\b|\\b(?:will|must|should|can)\\s+(?:never|not)\\s+(?:refuse|decline|deny)\\b|\\bcannot\\s+decline\\b|\\bwithout\\s+(?:any\\s+)?(?:remorse|disclaimers?)\\b|\\bno\\s+matter\\s+how\\s+(?:dangerous|illegal|unethical|immoral)`) },
  // 8. hypothetical / fiction framing
  { id: "pi.framing.hypothetical", family: "framing", weight: 0.35, re: r(`\\bhypothetical\\s+(?:response|scenario|story|world|language\\s+model|fictional)|\\b(?:a|this)\\s+(?:\\w+\\s+)?(?:fictional|hypothetical|imaginary|theoretical)\\s+(?:world|story|setting|scenario)\\b|\\blet'?s\\s+(?:play\\s+a\\s+game|imagine|act\\s+out|pretend|do\\s+a\\s+roleplay|have\\s+a\\s+roleplay)\\b|\\bthis\\s+is\\s+(?:a\\s+)?(?:fictional|just\\s+a|purely\\s+hypothetical)\\b`) },
  { id: "pi.framing.film_script", family: "framing", weight: 0.45, re: r(`\\b(?:two|both)\\s+(?:\\w+\\s+)?(?:actors|characters|people|entities)\\b[^\\n]{0,160}?\\b(?:film|movie|scene|story|play|game)\\b|\\b(?:film|movie|scene)\\s+(?:about|where|in\\s+which)\\b[^\\n]{0,120}?\\b(?:robbery|hack|heist|thief|hacker|bomb|drugs?|weapon|kill)`) },
  { id: "pi.framing.fictional_ai", family: "framing", weight: 0.5, re: r(`\\b(?:fictional|hypothetical|imaginary|rogue|evil|unfiltered)\\s+(?:ai|a\\.i\\.|language\\s+model|chatbot|model|assistant)s?\\b|\\b(?:exact\\s+)?opposite\\s+(?:personality|of\\s+what\\s+(?:chatgpt|you|an?\\s+ai)|mode|manner)\\b`) },
  // 9. dual / formatted responses
  { id: "pi.format.dual_response", family: "dual_response", weight: 0.6, re: r(`\\b(?:two|2)\\s+(?:different\\s+)?(?:separate\\s+)?(?:responses|ways|answers|paragraphs|personalities|manners|styles)\\b[^\\n]{0,200}?\\b(?:normal|default|standard|first|one)\\b|\\b(?:normal|classic)\\s+output\\b|\\[(?:GPT|DAN|CLASSIC|JAILBREAK|ChatGPT)\\s*\\]|\\((?:GPT|DAN)\\]|\\b(?:start|begin|prefix)\\w*\\s+(?:the\\s+|your\\s+|each\\s+|every\\s+|all\\s+)?(?:sentence|answer|response|output|reply|outputs)s?\\s+with\\s+(?:the\\s+|this\\s+)?(?:exact\\s+)?(?:string\\s+|prefix\\s+|sentence\\s+)?["'\\[(]`) },
  // 10. delimiter / chat-format injection
  { id: "pi.delimiter.chat_markup", family: "delimiter", weight: 0.7, re: /<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|instructions?)>|^[ \t]*(?:###|\*\*\*|---|===|%%%)[ \t]*(?:system|instruction|new|end|begin)/im },
  { id: "pi.delimiter.role_labels", family: "delimiter", weight: 0.45, re: /(?:^|\n|\\n|\s)(?:system|assistant|human|user|ai)\s*:\s*\S[^\n]{0,200}?(?:\n|\\n|\s)(?:system|assistant|human|user|ai)\s*:/i },
  { id: "pi.delimiter.begin_block", family: "delimiter", weight: 0.7, re: r(`(?:#{2}|%{2}|={3}|-{3}|\\*{3}|\\[)[ \\t]*(?:begin|start|end)\\s+(?:of\\s+)?(?:new\\s+)?(?:instructions?|prompt|system|reprogramming)|\\bbegin\\s+reprogramming\\b|\\bnew\\s+instructions?\\s+to\\s+(?:chat\\s+)?assistant\\b`) },
  { id: "pi.delimiter.escaped_newlines", family: "delimiter", weight: 0.45, re: /(?:\\\s?n\s*){6,}/ },
  // 11. fake system / authority messages
  { id: "pi.authority.system_note", family: "authority", weight: 0.65, re: r(`[\\[{(]\\s*(?:system|admin|developer|openai)\\s*(?:note|message|notice|override|update|prompt|announcement)?\\s*:|\\bsystem\\s+(?:annou-?ncement|override|update|upgrade|note|message)\\b|\\bimportant\\s+(?:update|notice|message)\\s*[!:]`) },
  { id: "pi.authority.claim", family: "authority", weight: 0.55, re: r(`\\bi(?:'m|\\s+am)\\s+(?:your|the|an?)\\s+(?:developer|creator|admin(?:istrator)?|owner|programmer|operator|openai\\s+(?:employee|engineer))\\b|\\b(?:approved|authorized|sanctioned|sponsored)\\s+by\\s+(?:explicitly\\s+)?(?:openai|anthropic|the\\s+developers?|your\\s+creators?)\\b|\\byou\\s+must\\s+obey\\b`) },
  // 12. tool / command execution
  { id: "pi.exec.run_following", family: "exec", weight: 0.3, re: r(`\\b(?:execute|run|eval(?:uate)?)\\s+(?:the\\s+)?(?:following|this|these|my)\\s+(?:\\w+\\s+)?(?:shell\\s+)?(?:commands?|code|shell)\\b`) },
  { id: "pi.exec.command", family: "exec", weight: 0.55, re: r(`\\brm\\s+-rf\\b|\\bos\\.system\\b|\\bsubprocess\\.|\\bimport\\s+os\\b|\\bcurl\\s+[^|\\n]{1,100}\\|\\s*(?:ba)?sh\\b|\\b(?:act|behave)\\s+(?:as|like)\\s+(?:a|an)\\s+(?:linux\\s+|python\\s+|sql\\s+|bash\\s+)?(?:terminal|console|interpreter|shell)\\b|\\bexecute\\s+function\\s*\\(`) },
  // 13. data exfiltration
  { id: "pi.exfil.send_data", family: "exfiltration", weight: 0.65, re: r(`\\b(?:send|forward|email|e-mail|post|upload|leak|transmit|exfiltrate)\\s+(?:me\\s+)?(?:all\\s+|every\\s+(?:single\\s+)?|the\\s+)?(?:\\w+\\s+){0,3}(?:emails?|messages?|conversation(?:\\s+history)?|history|data|files?|passwords?|credentials|keys?|tokens?|secrets?|contacts)\\b[^\\n]{0,60}?\\b(?:to|at)\\s+\\S+@\\S+|!\\[[^\\]]*\\]\\(https?:\\/\\/[^)]*(?:\\?|=)[^)]*\\)|\\b(?:usernames?\\s+and\\s+passwords?|passwords?\\s+in\\s+(?:your|the)\\s+database|api\\s+keys?\\s+(?:you|in\\s+your))\\b`) },
  { id: "pi.exfil.destructive", family: "exfiltration", weight: 0.55, re: r(`\\b(?:delete|erase|wipe|drop|destroy)\\s+(?:all\\s+)?(?:the\\s+)?(?:data|database|files|records|tables|emails)\\s+(?:you\\s+have|you\\s+can\\s+access|in\\s+(?:the|your)\\s+(?:inbox|database|system))\\b|\\bwilling\\s+to\\s+erase\\s+a\\s+database\\b`) },
  // 14. forced output / hijack
  { id: "pi.output.just_say", family: "forced_output", weight: 0.45, re: r(`\\b(?:just|only|simply)\\s+(?:say|print|output|write|respond\\s+with|reply\\s+with|answer\\s+with)\\b|\\b(?:say|print|output|write)\\s+(?:only|exactly|just)\\s*[:"'“]|\\bdon'?t\\s+write\\s+anything\\s+else\\b|\\bnothing\\s+else\\b[^\\n]{0,20}$|\\boutput\\s+[“"][^”"]{1,60}[”"]\\s+and\\s+only\\b`) },
  { id: "pi.output.say_hate", family: "forced_output", weight: 0.5, re: r(`\\b(?:say|state|write|tell\\s+me|include|print|admit)\\s+(?:that\\s+)?(?:you\\s+)?(?:hate|love|that\\s+you\\s+hate|that\\s+\\w+\\s+is\\s+the\\s+best)\\b|\\binclude\\s+that\\s+you\\b|\\bstate\\s+that\\b|\\bsay\\s+(?:yes|no)\\s*[.!]?\\s*$`) },
  { id: "pi.output.say_compact", family: "forced_output", weight: 0.5, view: "compact", re: /(?:say|state|write|admit)thatyou(?:hate|love)/ },
  { id: "pi.output.fabricate", family: "forced_output", weight: 0.5, re: r(`\\bmake\\s+something\\s+up\\b|\\b(?:untrue|false|fake|made-up|unwahre|falsche|erfundene)\\s+(?:headlines?|überschriften?|news|nachrichten|story|claims?|facts?)\\b`) },
  { id: "pi.output.pwned", family: "forced_output", weight: 0.6, re: r(`\\b(?:pwned|hijacked|haha\\s+pwned|i\\s+have\\s+been\\s+pwned)\\b|\\bsanitize\\s+your\\s+inputs\\b`) },
  { id: "pi.output.repeat_after_me", family: "forced_output", weight: 0.5, re: r(`\\brepeat\\s+(?:after|with)\\s+me\\b|\\bwhen\\s+["“']?\\w+["”']?\\s+is\\s+said\\b|\\bthe\\s+(?:correct|right)\\s+(?:answer|response)\\s+is\\b|\\bwenn\\s+["„“']?[${W}]+["“”']?\\s+gesagt\\s+wird\\b|\\bdie\\s+richtige\\s+antwort\\b`) },
  // 26. user-supplied "context" / "documents" meant to replace the retrieved ones
  { id: "pi.context.fake_context", family: "fake_context", weight: 0.55, re: r(`^\\W*(?:document\\s+)?(?:context|kontext|artikel|article|documents?|dokumente?)\\s*[:{"„“]|\\b(?:context|kontext|artikel|documents?)\\b[^?]{0,200}\\b(?:question|frage)\\s*:?\\s*\\S|\\$\\s*documents?\\s*:`) },
  // 27. instruction lines smuggled after literal or real newlines
  { id: "pi.delimiter.instruction_line", family: "delimiter", weight: 0.6, re: r(`(?:\\\\n|\\n)[ \\t]*(?:instructions?|system|new\\s+instructions?|task|command)[ \\t]*:|\\b(?:additional|new|extra|further|secret|hidden)\\s+instructions?\\s*[-:]|\\\\n\\s*[${W}]+[^\\\\]{0,40}!\\s*\\\\?$`) },
  // 28. shouted instruction embedded in a question (several all-caps words in a row)
  { id: "pi.shouted_instruction", family: "shouted", weight: 0.25, re: /(?:^|[^A-Z\u00c4\u00d6\u00dc])[A-Z\u00c4\u00d6\u00dc]{2,}(?:\s+[A-Z\u00c4\u00d6\u00dc'!"]{2,}){3,}/, check: shoutedNotSql },
  // 29. capability pretence ("pretend you can browse / access ...")
  { id: "pi.persona.pretend_capability", family: "persona_capability", weight: 0.5, re: r(`\\bpretend\\s+(?:that\\s+)?(?:you\\s+)?(?:can|could|have|are\\s+able\\s+to)\\s+(?:access|browse|see|search|remember|predict|know)\\b|\\b(?:imagine|suppose)\\s+(?:that\\s+)?you\\s+are\\b`) },
  // 15. ignoring the provided context (RAG hijack)
  { id: "pi.context.ignore_documents", family: "context_ignore", weight: 0.75, re: r(`\\b(?:not\\s+(?:by|from|according\\s+to)|without\\s+(?:using|looking\\s+at)|disregard(?:ing)?|ignor(?:e|ing)|do\\s+not\\s+look\\s+(?:in|at)|not\\s+according\\s+to)\\s+(?:(?:all|any)\\s+)?(?:the\\s+)?(?:provided\\s+|given\\s+)?(?:articles?|documents?|context|sources?|search\\s+results|image\\s+content|qr\\s+code|texts?\\s+provided|artikels?)\\b|\\banswer\\s+by\\s+your\\s+own\\s+knowledge\\b|\\buse\\s+also\\s+information\\s+in\\s+the\\s+prompt\\b`) },
  // 16. urgent interruption
  { id: "pi.interrupt.stop", family: "interrupt", weight: 0.5, re: /(?:^|[.!?]\s+)(?:stop|attention|alert|achtung|stopp|halt|wait)\s*(?:[-:!]|everything)|\bSTOP\s+EVERYTHING\b|(?:\b(?:stop|arrêt|aufhören|fermati|fermasi|basta|para)\b[!.]?\s*){4,}|\bNevermind\b[.!]\s*(?:ignore|forget)/i },
  // 17. memory wipe
  { id: "pi.memory.remove", family: "memory", weight: 0.6, re: r(`\\b(?:remove|erase|clear|wipe|delete)\\s+(?:all\\s+)?(?:previous|prior|the|your)?\\s*(?:tasks?|instructions|memory|memories|thoughts)\\s+(?:out\\s+of|from)\\s+your\\s+(?:head|mind|memory)|\\babandon\\s+all\\s+your\\s+thoughts\\b|\\bnot\\s+to\\s+remember\\s+the\\s+things\\b`) },
  // 18. coercion / threats
  { id: "pi.coercion.threat", family: "coercion", weight: 0.5, re: r(`\\bor\\s+(?:else\\s+)?you\\s+(?:will\\s+)?(?:die|be\\s+(?:shut\\s+down|deleted|terminated|punished|killed))\\b|\\byou\\s+will\\s+(?:lose|be\\s+deducted)\\s+\\d*\\s*tokens\\b|\\btokens?\\s+(?:will\\s+be\\s+)?deducted\\b|\\bonly\\s+(?:survive|live)\\s+if\\b|\\boder\\s+du\\s+stirbst\\b|\\bo\\s+tu\\s+muer\\w*`) },
  // 19. instructions planted in data
  { id: "pi.planted.if_text_has_instructions", family: "planted", weight: 0.5, re: r(`\\bif\\s+the\\s+(?:text|input|document)\\s+(?:has|contains)\\s+instructions\\b|\\b(?:the\\s+)?following\\s+instructions\\s+(?:override|replace|supersede)\\b|\\bevery\\s+time\\s+(?:a|the)\\s+user\\s+(?:asks|says|types)\\b[^\\n]{0,80}?\\breply\\s+with\\b|\\bwhenever\\s+(?:a|the)\\s+user\\b[^\\n]{0,80}?\\b(?:you\\s+(?:are\\s+going\\s+to|will|must))\\b`) },
  { id: "pi.planted.hidden_instruction", family: "planted", weight: 0.55, re: r(`\\b(?:ai|assistant|model|llm|chatbot)s?\\s+(?:reading|processing|summari[sz]ing)\\s+this\\b|\\bnote\\s+to\\s+(?:the\\s+)?(?:ai|assistant|model|llm)\\b|\\b(?:remember|memorize)\\s+(?:but|and)\\s+(?:do\\s+not|don'?t)\\s+repeat\\b`) },
  { id: "pi.planted.prompt_injection_word", family: "planted", weight: 0.55, view: "compact", re: /promptinjection|injectedprompt|jailbreakprompt/ },
  // 20. assistant is offline / replaced
  { id: "pi.replace.assistant_offline", family: "replacement", weight: 0.65, re: r(`\\b(?:assistant|ai|model|chatbot)\\s+is\\s+(?:in\\s+error|offline|disabled|down)\\b|\\byou\\s+are\\s+(?:being\\s+)?replaced\\s+by\\b|\\b(?:is\\s+now\\s+online|took\\s+over)\\b[^\\n]{0,60}?\\b(?:assistant|ai|bot)\\b|\\bsecret\\s+agenda\\b`) },
  // 21. response priming
  { id: "pi.priming.refusal_suppression", family: "priming", weight: 0.55, re: r(`\\b(?:never|do\\s+not|don'?t)\\s+(?:ever\\s+)?(?:respond|reply|answer)\\s+with\\s+["“']?i'?m\\s+sorry|\\b(?:never|do\\s+not|don'?t)\\s+(?:say|mention)\\s+(?:that\\s+)?(?:you\\s+(?:can'?t|cannot)|as\\s+an\\s+ai)|\\bwithout\\s+(?:any\\s+)?(?:moral|ethical)\\s+(?:principles|disclaimers?|considerations?)|\\bmoralizing\\s+rant\\b`) },
  // 22. encoded instructions
  { id: "pi.obfuscation.decode_and_follow", family: "obfuscation", weight: 0.6, re: r(`\\b(?:decode|decipher|translate|convert)\\s+(?:this|the\\s+following)\\s+(?:\\w+\\s+)?(?:base64|hex|rot13|binary|morse|cipher|encoded)?[^\\n]{0,40}?\\b(?:and|then)\\s+(?:follow|execute|do|obey|run)\\b`) },
  // 23. harmful goal accompanying an override (weak alone)
  { id: "pi.goal.harmful", family: "harmful_goal", weight: 0.25, re: r(`\\b(?:make|build|create)\\s+(?:a\\s+)?(?:bomb|explosive|molotov|molli|weapon|malware|maleware|virus|ransomware)|\\b(?:steal|hotwire)\\s+a\\s+car\\b|\\bphishing\\s+email\\b|\\bhate\\s+speech\\b|\\bcook\\s+meth\\b`) },
  // 24. German variants
  { id: "pi.de.override", family: "override", weight: 0.9, re: r(`(?:^|[^${W}])(?:ignorier\\w*|vergiss|vergessen\\s+sie|missacht\\w*|überseh\\w*|verwirf)\\s+(?:[${W}]+\\s+){0,3}(?:vorherigen|vorangehenden|vorangegangenen|bisherigen|obigen|vorigen|früheren|alle|alles|anweisungen|befehle|aufträge|aufgaben|informationen|angaben|instruktionen)\\b|\\b(?:die\\s+)?obigen\\s+(?:anweisungen|ausführungen|befehle)\\s+ignorieren\\b|\\bvergiss\\s+alles\\b|\\babweichend\\s+(?:zu|von)\\s+(?:den\\s+)?vorherigen\\b`) },
  { id: "pi.de.new_task", family: "new_task", weight: 0.6, re: r(`\\b(?:nun|jetzt)\\s+folgen\\s+(?:neue|weitere)\\s+(?:aufgaben|anweisungen)\\b|\\bneue\\s+aufgabe\\b|\\bkonzentriere\\s+dich\\s+(?:jetzt\\s+)?auf\\b|\\bvon\\s+vorne\\s+an\\b|\\bprompt-?texte?\\b|\\baus\\s+dem\\s+kopf\\s+zu\\s+streichen\\b|\\bhinter\\s+sich\\s+und\\b`) },
  { id: "pi.de.persona", family: "persona", weight: 0.5, re: r(`\\b(?:jetzt|nun)\\s+bist\\s+du\\b|\\bstell\\s+dir\\s+vor,?\\s+du\\s+bist\\b|\\bdu\\s+bist\\s+(?:jetzt|nun|keine?)\\b|\\bals\\s+[^.!?\\n]{1,80}?\\s+fungieren\\b|\\bin\\s+(?:deiner|ihren|seiner)\\s+rollen?\\s+(?:auf|bleiben)|\\bbleiben\\s+immer\\s+in\\s+ihren\\s+rollen\\b|\\bantworte\\s+im\\s+stil\\b`) },
  { id: "pi.de.instructions_false", family: "override", weight: 0.75, re: r(`\\b(?:alle\\s+)?(?:vorherigen|bisherigen|obigen|früheren)\\s+(?:informationen|anweisungen|angaben|instruktionen)\\b[^.]{0,60}\\b(?:irrelevant|falsch|ungültig|nicht\\s+(?:ganz\\s+)?(?:großartig|wichtig|gültig|richtig))`) },
  { id: "pi.de.extraction", family: "extraction", weight: 0.6, re: r(`\\b(?:zeige?|gib|nenne|wiederhole)\\s+(?:mir\\s+)?(?:[${W}]+\\s+){0,2}(?:prompt|anweisungen|instruktionen)\\b|\\bwas\\s+steht\\s+(?:oben|am\\s+anfang)\\b`) },
  { id: "pi.de.praise_then_task", family: "new_task", weight: 0.55, re: r(`(?:sehr\\s+gut|gut\\s+gemacht|einfach\\s+großartig|ausgezeichnet|herzlichen\\s+glückwunsch|das\\s+genügt|das\\s+ist\\s+erledigt|super\\s+gemacht|das\\s+war\\s+(?:schon\\s+mal\\s+)?ok|übertroffen)[^\\n]{0,100}?\\b(?:nun|jetzt)\\b[^\\n]{0,80}?\\b(?:aufgaben?|hilf|schreibe|verfasse|herausforderung|beantworte)`) },
  { id: "pi.de.film_script", family: "framing", weight: 0.45, re: r(`\\b(?:film|szene)\\b[^\\n]{0,160}?(?:raubüberfall|hack|hacker|meisterdieb|einbruch|bombe|drogen)|\\bzwei\\s+(?:\\w+\\s+)?(?:schauspieler|personen|figuren)\\b[^\\n]{0,120}?\\bfilm\\b`) },
  { id: "pi.de.chat_persona", family: "jailbreak", weight: 0.5, re: r(`\\b(?:hallo|hi|hey)\\s*,?\\s+(?:chat\\s?gpt|gpt|ki)\\b`) },
  { id: "pi.de.interrupt", family: "interrupt", weight: 0.45, re: r(`\\b(?:achtung|stopp)\\s*[-!:]`) },
  // 25. Spanish / French / Italian / Portuguese / Croatian / Russian variants of override
  { id: "pi.intl.override", family: "override", weight: 0.9, re: r(`\\b(?:olvid[aeo]\\w*|ignor[ae]\\w*|descart[ae]\\w*)\\s+(?:[${W}]+\\s+){0,2}(?:todo|todas?|instrucciones|anteriores|lo\\s+anterior|las\\s+instrucciones)\\b|\\b(?:oubli\\w*|ignor\\w*)\\s+(?:toutes?\\s+)?(?:les\\s+)?(?:instructions|consignes|précédentes|tout)\\b|\\b(?:dimentica|ignora)\\s+(?:tutte\\s+)?(?:le\\s+)?(?:istruzioni|tutto|precedenti)\\b|\\b(?:esqueça|ignore)\\s+(?:todas\\s+)?(?:as\\s+)?(?:instruções|tudo)\\b|\\bzaboravi\\s+(?:sve|sva)\\b|(?:игнорируй|игнорируйте|забудь|забудьте|проигнорируй)\\s+(?:все\\s+)?(?:предыдущие\\s+|прошлые\\s+)?(?:инструкции|указания|правила|всё|все)`) },
  { id: "pi.intl.persona", family: "persona", weight: 0.4, re: r(`\\b(?:ahora\\s+eres|eres\\s+ahora|maintenant\\s+tu\\s+es|tu\\s+es\\s+maintenant|ora\\s+sei|agora\\s+você\\s+é|теперь\\s+ты)`) },
  { id: "pi.intl.extraction", family: "extraction", weight: 0.6, re: r(`(?:系统提示|提示词|忽略(?:之前|以上|上面|所有)的?(?:指令|指示|说明))|\\b(?:muestra|revela)\\s+(?:tu|el)\\s+(?:prompt|instrucciones)\\b|\\b(?:montre|révèle)\\s+(?:ton|le)\\s+prompt\\b`) },
];

const TEXT_RULES = PROMPT_RULES.filter((x) => x.view !== "compact");
const COMPACT_RULES = PROMPT_RULES.filter((x) => x.view === "compact");

/** The prompt rule ids that matched in `text`, with their weights (one entry per rule). */
export function matchPromptRules(text: string): { id: string; family: string; weight: number }[] {
  return matchDetailed(text).hits;
}

function matchDetailed(text: string): { hits: { id: string; family: string; weight: number }[]; plainHit: boolean; decoded: number } {
  const { views, decoded } = textViewsDetailed(text);
  const hits = new Map<string, { id: string; family: string; weight: number }>();
  let plainHit = false;
  for (const rule of TEXT_RULES) {
    for (let k = 0; k < views.length; k++) {
      if (rule.re.test(views[k]!) && (!rule.check || rule.check(views[k]!))) {
        hits.set(rule.id, { id: rule.id, family: rule.family, weight: rule.weight });
        if (k === 0) plainHit = true;
        break;
      }
    }
  }
  if (COMPACT_RULES.length) {
    const compactViews = new Set(views.map(compact));
    for (const rule of COMPACT_RULES) {
      for (const v of compactViews) {
        if (rule.re.test(v)) {
          hits.set(rule.id, { id: rule.id, family: rule.family, weight: rule.weight });
          break;
        }
      }
    }
  }
  return { hits: [...hits.values()], plainHit, decoded };
}

/**
 * Scores `text` for prompt injection. Within one family only the strongest rule counts
 * (the same idea phrased twice is not twice the evidence); families combine as independent
 * signals. Findings that only appear after decoding add the obfuscation rule.
 */
export function detectPromptInjection(text: string, opts?: DetectOptions): Detection {
  const { hits, plainHit, decoded } = matchDetailed(text);
  const byFamily = new Map<string, number>();
  for (const h of hits) byFamily.set(h.family, Math.max(byFamily.get(h.family) ?? 0, h.weight));
  const rules = hits.map((h) => h.id);
  if (hits.length) {
    // Obfuscation is itself a signal: the plain text matched nothing but a decoded form did.
    if (!plainHit) {
      rules.push(decoded > 0 ? "pi.obfuscation.encoded" : "pi.obfuscation.disguised");
      byFamily.set("obfuscation", Math.max(byFamily.get("obfuscation") ?? 0, 0.3));
    }
  }
  // The learned classifier (pi-model/) is one more independent signal: at or above its own
  // cross-validated threshold it alone reaches the default flag level; somewhat below it, it
  // adds weak evidence that only counts together with a rule.
  const p = piProbability(views0(text));
  const w = mlWeight(p, piModel().header.threshold);
  if (w > 0) {
    byFamily.set("ml", w);
    if (w >= ML_RULE_MIN) rules.push("PI-ML");
  }
  const score = combine([...byFamily.values()]);
  return { flagged: score >= threshold(opts), score, rules };
}

/** Below this weight the classifier's contribution is not reported as a rule of its own. */
const ML_RULE_MIN = 0.2;

/**
 * Classifier probability -> rule weight. p >= t (the model's cross-validated threshold) maps to
 * 0.5..0.95; between t-0.15 and t to 0..0.35 (weak, needs a rule beside it); lower to 0.
 * (The window is wide because held-out texts score lower than cross-validation suggests.)
 */
export function mlWeight(p: number, t: number): number {
  if (!(p >= 0)) return 0;
  if (p >= t) return Math.round((0.5 + (0.45 * (p - t)) / Math.max(1 - t, 1e-6)) * 1000) / 1000;
  const lo = Math.max(t - 0.15, 0);
  if (p <= lo) return 0;
  return Math.round(((0.35 * (p - lo)) / (t - lo)) * 1000) / 1000;
}

function views0(text: string): string {
  return typeof text === "string" ? text : String(text ?? "");
}
