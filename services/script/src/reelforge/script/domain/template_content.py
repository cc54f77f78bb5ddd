"""What the template writer says: hooks, introductions, key-point framings, calls to action and
the supporting sentences it draws on to fill a longer video.

Supporting sentences never claim facts about the property or the market that the brief did not
give; they speak about the viewing, the process and the presenter's help. Placeholders:
{topic} (the topic as a phrase), {a_topic} (with "a"/"an"), {said} (the topic as a sentence),
{name}, {first}, {company}, {phone}, {email}, {point} (a key point), {points} (a list of them),
{price}.
"""

from __future__ import annotations

from reelforge.contracts import VideoType

Section = tuple[str, tuple[str, ...]]

PROPERTY_HOOKS = (
    "Let me show you this {topic}.",
    "If you've been waiting for the right {topic}, this could be the one.",
    "Picture yourself living in this {topic}.",
    "Looking for {a_topic}? You're going to love this one.",
    "Homes like this {topic} don't come along every day.",
    "Welcome to this {topic}, and trust me, you'll want to see it in person.",
)
PROPERTY_SHORT_HOOKS = ("Check out this {topic}.", "Meet this {topic}.")
PROPERTY_ADDRESS_HOOKS = (
    "Welcome to {topic}.",
    "Let me show you {topic}.",
    "Let's take a look at {topic}, and trust me, you'll want to see it in person.",
    "If you've been waiting for the right home, you need to see {topic}.",
)
PROPERTY_SHORT_ADDRESS_HOOKS = ("Welcome to {topic}.",)
PROPERTY_SENTENCE_HOOKS = ("{said} Let me show you around.", "{said} Let me show you why.")

MARKET_HOOKS = (
    "What's really happening with {topic}? Let's look at the numbers.",
    "Here's your latest update on {topic}.",
    "If you're thinking about buying or selling, here's what you need to know about {topic}.",
    "The latest numbers for {topic} are in, and there's a lot to talk about.",
)
MARKET_SHORT_HOOKS = (
    "Here's {topic}, in brief.",
    "Quick update on {topic}.",
    "Here's your quick update on {topic}.",
)
MARKET_SENTENCE_HOOKS = ("{said} Let's look at the numbers.", "{said} Here's what the data says.")

CUSTOM_HOOKS = (
    "Let's talk about {topic}.",
    "Today I want to talk about {topic}.",
    "Here's what you need to know about {topic}.",
    "If you've been wondering about {topic}, this one's for you.",
)
CUSTOM_SHORT_HOOKS = ("About {topic}.", "Let's talk {topic}.")
CUSTOM_QUESTION_HOOKS = (
    "{said} Let's talk about it.",
    "{said} It's a great question, so let's dig in.",
    "{said} Here's what you need to know.",
)
CUSTOM_SENTENCE_HOOKS = ("{said} Let's talk about it.", "{said} Here's what you should know.")

PERSONAL_GREETINGS_NAMED = (
    "Hi, it's {first} from {company}!",
    "Hey there, it's {first}, and I made this video just for you.",
    "Hi! {name} here, with a quick personal message for you.",
)
PERSONAL_GREETINGS_NAMED_NO_COMPANY = (
    "Hi, it's {first}!",
    "Hey there, it's {first}, and I made this video just for you.",
    "Hi! {name} here, with a quick personal message for you.",
)
PERSONAL_GREETINGS = (
    "Hi there, I made this quick video just for you.",
    "Hello! I wanted to send you a personal message.",
    "Hey there, this one is just for you.",
)
PERSONAL_SHORT_GREETINGS = ("Hi, it's {first}!", "Hi there!")
PERSONAL_TOPIC_LINES = (
    "I'm reaching out about {topic}.",
    "I wanted to talk to you about {topic}.",
    "I wanted to send you a quick note about {topic}.",
)

INTROS: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: (
        "I'm {name} with {company}.",
        "Hi, I'm {name} with {company}, and I'd love to show you around.",
        "{name} here, with {company}.",
    ),
    VideoType.MARKET_UPDATE: (
        "I'm {name} with {company}, and this is your market update.",
        "Hi, I'm {name} with {company}.",
        "{name} here, with {company}, and I've got the latest numbers for you.",
    ),
    VideoType.CUSTOM: (
        "I'm {name} with {company}.",
        "Hi, I'm {name} with {company}.",
        "{name} here, with {company}.",
    ),
}
INTROS_NO_COMPANY: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: ("I'm {name}.", "Hi, I'm {name}, and I'd love to show you around."),
    VideoType.MARKET_UPDATE: ("I'm {name}, and this is your market update.", "Hi, I'm {name}."),
    VideoType.CUSTOM: ("I'm {name}.", "Hi, I'm {name}."),
}

PROPERTY_FIRST_POINT = (
    "You'll love the {point}.",
    "Let's start with the {point}.",
    "First, there's the {point}.",
)
PROPERTY_NEXT_POINT = (
    "Then there's the {point}.",
    "You'll also love the {point}.",
    "Don't miss the {point}.",
    "It also comes with the {point}.",
    "Make sure you see the {point}.",
)
PROPERTY_LAST_POINT = (
    "And finally, there's the {point}.",
    "And don't miss the {point}.",
    "And then there's the {point}.",
)
PROPERTY_POINT_LISTS = (
    "You'll love the {points}.",
    "Highlights include the {points}.",
    "It features the {points}.",
)
PROPERTY_PREDICATES = ("It's {point}.", "Best of all, it's {point}.", "It's also {point}.")
PROPERTY_QUANTITIES = ("It has {point}.", "You get {point}.", "It comes with {point}.")
PROPERTY_PRICES = (
    "Priced at {price}, this home won't last long.",
    "It's offered at {price}.",
    "And it's offered at {price}.",
)
PROPERTY_URGENCY = (
    "Homes like this don't last long.",
    "This one won't last long.",
    "I don't expect this one to stay on the market for long.",
)

MARKET_FIRST_NOUN_POINT = (
    "One trend to watch: {point}.",
    "Here's one that matters: {point}.",
    "Let's start with this: {point}.",
)
MARKET_NOUN_POINTS = (
    "Another trend to watch: {point}.",
    "Also worth noting: {point}.",
    "Here's another one that matters: {point}.",
    "Keep an eye on this one: {point}.",
)
MARKET_POINT_OPENERS = (
    "First, {point}",
    "Here's the big one. {Point}",
    "Let's start here. {Point}",
)
MARKET_TAKEAWAYS = (
    "So what does it mean for you? If you're buying, be prepared, and if you're selling, price "
    "it right from day one.",
    "For buyers, that means doing your homework; for sellers, it means pricing with care.",
    "What it means for you depends on your plans, and that's exactly what I can help with.",
)

PERSONAL_POINTS = (
    "And one more thing: {point}.",
    "Also, a quick note: {point}.",
    "One other thing I wanted to mention: {point}.",
)
CUSTOM_FIRST_POINT = (
    "Here's one thing to know: {point}.",
    "First: {point}.",
    "Let's start with this: {point}.",
)
CUSTOM_POINTS = (
    "Another point worth mentioning: {point}.",
    "Next: {point}.",
    "Also keep in mind: {point}.",
)
CUSTOM_LAST_POINT = ("And finally: {point}.", "One last thing: {point}.")

CTAS_PHONE: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: (
        "Call me today at {phone} to schedule your private showing.",
        "To see it in person, call me at {phone} and I'll set up a private tour.",
        "Ready to take a look? Call me at {phone}.",
        "Give me a call at {phone} to book your showing before someone else does.",
    ),
    VideoType.MARKET_UPDATE: (
        "If you want to know what this means for your home, call me at {phone}.",
        "Thinking about buying or selling? Call me at {phone} and let's talk strategy.",
        "For a free, no-pressure look at your home's value, call me at {phone}.",
    ),
    VideoType.PERSONAL_MESSAGE: (
        "If you need anything at all, call me anytime at {phone}.",
        "As always, I'm just a phone call away at {phone}.",
        "Give me a call at {phone} whenever it suits you.",
    ),
    VideoType.CUSTOM: (
        "Have questions? Call me at {phone}.",
        "If you'd like to talk it through, call me at {phone}.",
        "Reach out anytime at {phone}, and let's talk.",
    ),
}
CTAS_EMAIL: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: ("Email me at {email} to schedule your private showing.",),
    VideoType.MARKET_UPDATE: ("Want to know what it means for your home? Email me at {email}.",),
    VideoType.PERSONAL_MESSAGE: ("Just email me at {email} anytime.",),
    VideoType.CUSTOM: ("Have questions? Email me at {email}.",),
}
CTAS_NONE: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: (
        "Reach out today to schedule your private showing.",
        "Get in touch today and I'll set up a private tour.",
    ),
    VideoType.MARKET_UPDATE: (
        "Thinking about buying or selling? Reach out, and let's talk strategy.",
        "If you want to know what this means for your home, get in touch.",
    ),
    VideoType.PERSONAL_MESSAGE: (
        "Reach out anytime; I'm always happy to hear from you.",
        "You know where to find me, so reach out anytime.",
    ),
    VideoType.CUSTOM: (
        "Have questions? Reach out anytime.",
        "If you'd like to talk it through, get in touch.",
    ),
}
SHORT_CTAS = ("Call {phone} today.", "Call me at {phone}.")
SHORT_CTAS_NO_PHONE = ("Reach out today.", "Get in touch.")

SIGNOFFS: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: (
        "I'll see you at the showing!",
        "Thanks for watching, and I'll see you soon.",
    ),
    VideoType.MARKET_UPDATE: (
        "Thanks for watching, and I'll see you next time.",
        "Until next time!",
    ),
    VideoType.PERSONAL_MESSAGE: (
        "Talk soon!",
        "Take care, and talk soon.",
        "Thanks again, and take care.",
    ),
    VideoType.CUSTOM: ("Thanks for watching!", "Talk soon!"),
}


WORKING_TOGETHER: tuple[str, ...] = (
    "If you're buying for the first time, don't worry, I'll walk you through every step.",
    "I can connect you with trusted local lenders, so you know exactly where you stand.",
    "If you need to sell your current home first, let's talk about how to line up both moves.",
    "My job is to make this process simple, clear and as stress-free as possible.",
    "I'll make sure you have the numbers, the comparable sales and the details before you decide.",
    "No question is too small, so bring all of them.",
    "There's no pressure and no obligation; a conversation is always a good first step.",
    "Every client's situation is different, and I'll tailor the plan to yours.",
    "I'll keep you informed at every stage, so you're never left guessing.",
    "Getting pre-approved early puts you in a strong position when the right home comes along.",
    "Good advice up front can save you a lot of time, money and stress later on.",
    "I work with buyers and sellers every day, and I'd love to put that experience to work for "
    "you.",
    "We can meet around your schedule, including evenings and weekends.",
    "If you know someone who could use this, please share this video with them.",
    "I'll always tell you what I'd do in your shoes.",
    "Clear communication is my priority, so you'll always know what happens next.",
)

PROPERTY_LISTING_OVERVIEW: tuple[str, ...] = (
    "From the moment you pull up, you can tell this one is special.",
    "It's the kind of place that feels like home the second you walk through the door.",
    "I've walked through a lot of homes, and this one really stands out.",
    "Let me walk you through a few of the things that make it special.",
    "There's a lot to love here, so let's get right into it.",
    "I'm excited about this one, and I think you will be too.",
    "Let me give you a feel for what it's like to live here.",
)

PROPERTY_LISTING_LIFESTYLE: tuple[str, ...] = (
    "Imagine weekend mornings with coffee in hand and nowhere you need to be.",
    "It's just as comfortable for a quiet night in as it is for hosting friends and family.",
    "Picture the holidays here, with everyone gathered together and room for all of them.",
    "Whether you're settling down, growing a family or looking for a place to unwind, this home "
    "can grow with you.",
    "It's a home you can move right into and still make completely your own.",
    "Think about how you'd use each space, and picture your own furniture in place.",
    "Some homes just have a feeling about them, and this is one of them.",
    "Picture your evenings here as the sun goes down.",
    "It's easy to imagine a morning routine here that starts your day off right.",
    "There's room for the way you actually live, from busy weekdays to slow Sundays.",
    "If you love to entertain, you'll find plenty of ways to make this home work for you.",
    "If you work from home, think about where your office could go.",
    "Every home tells a story, and this one is ready for its next chapter.",
    "You have to see it.",
    "It's a rare find.",
    "This one is special.",
)

PROPERTY_LISTING_AREA: tuple[str, ...] = (
    "Take a drive around the neighborhood and you'll see why people love living here.",
    "When you come for a showing, give yourself a few extra minutes to explore the area.",
    "I'm happy to share what I know about the neighborhood, from schools to my favorite local "
    "spots.",
    "A great home is about more than four walls; it's about the life around it, too.",
    "Ask me about commute times, schools and everyday conveniences; I'm happy to go over all of "
    "it.",
    "I always recommend visiting at different times of day to get a real feel for the area.",
)

PROPERTY_LISTING_WHY_NOW: tuple[str, ...] = (
    "If you've been waiting for the right time, this could be it.",
    "Homes like this tend to move quickly, so it pays to be ready.",
    "If you're still on the fence, a private showing is the best way to know how it feels.",
    "Photos only tell part of the story; you really have to see it in person.",
    "Bring the family, walk through every room, and take your time.",
    "Sometimes you just know a home is the one, and I have a feeling this could be it for someone"
    " watching.",
    "If it checks your boxes, don't wait too long to see it.",
    "The best way to decide is to walk through it yourself, so let's make that happen.",
    "Even if you're just starting to look, touring a home like this helps you learn what you want.",
)

PROPERTY_LISTING_WORKING: tuple[str, ...] = (
    "I'll send you the full feature list and recent sales nearby, so you can compare with "
    "confidence.",
    "If it's not quite the right fit, I'll help you find the one that is.",
    "When you find the right home, you want to move with confidence, and that's what I'm here for.",
    "I'll be there to answer questions on the spot and point out details you might otherwise miss.",
    "After the showing, we can sit down and talk through the numbers together.",
    "If you decide to make an offer, I'll help you put together one that's strong and smart.",
    "From the first showing to the day you get your keys, I'll be with you every step of the way.",
    *WORKING_TOGETHER,
)

MARKET_UPDATE_CONTEXT: tuple[str, ...] = (
    "Whether you're thinking about buying, selling or just keeping an eye on your home's value, "
    "these numbers matter.",
    "I track this data closely so you don't have to.",
    "Let's break down what's happening and what it means for you.",
    "Real estate is local, right down to the street, so the national headlines never tell the "
    "whole story.",
    "I'll keep it simple and focus on the numbers that actually matter to you.",
    "Here's the quick version, and then we'll dig into what it means.",
)

MARKET_UPDATE_TRENDS: tuple[str, ...] = (
    "Prices, inventory and days on market work together, and watching all three gives you the "
    "clearest picture.",
    "When inventory shifts, buyers and sellers feel it quickly in negotiations.",
    "Interest rates still shape what buyers can afford, so keep an eye on them alongside prices.",
    "Well-priced homes in good condition still get strong attention.",
    "Homes that are overpriced tend to sit, and price reductions usually follow.",
    "Seasonal swings are normal, so it's worth comparing with the same time last year.",
    "Every neighborhood moves at its own pace, and that's where local insight pays off.",
    "Month-to-month changes can be noisy, so I like to look at the trend over several months.",
    "Different price ranges can behave very differently, even in the same city.",
    "Condos, single-family homes and luxury properties each have their own rhythm.",
    "Numbers are only half the story; the other half is how buyers and sellers are feeling.",
    "These numbers tell a story.",
)

MARKET_UPDATE_BUYERS: tuple[str, ...] = (
    "For buyers, the key is to be prepared: get pre-approved and know your must-haves before you "
    "start touring.",
    "If you're buying, look closely at value, not just price.",
    "Buyers who do their homework and move decisively are the ones getting the homes they want.",
    "Don't try to time the market perfectly; focus on the right home at a payment you're "
    "comfortable with.",
    "Ask your lender about all your loan options, not just the first one you hear.",
    "Have a clear budget, and leave a little room for closing costs and moving expenses.",
    "When the right home comes along, being ready to act is half the battle.",
)

MARKET_UPDATE_SELLERS: tuple[str, ...] = (
    "For sellers, pricing it right from day one matters more than ever.",
    "First impressions count, so presentation, photos and small repairs make a real difference.",
    "If you're selling, knowing what has sold nearby is the best starting point for your price.",
    "The homes that sell fastest are priced well, look great online and are easy to show.",
    "If you're selling, timing your listing well can make a real difference.",
    "A pre-listing inspection can help you avoid surprises once you're under contract.",
    "Sellers who listen to the market early tend to come out ahead in the end.",
)

MARKET_UPDATE_OWNERS: tuple[str, ...] = (
    "Even if you're not planning to move, knowing your home's value helps you make smart "
    "decisions.",
    "Many homeowners have more equity than they realize.",
    "If you're curious what your home would sell for today, I'm happy to run the numbers for you.",
    "Your home is likely your biggest investment, so it's worth checking in on it at least once a"
    " year.",
    "If you've been thinking about refinancing, remodeling or downsizing, these numbers are a "
    "good place to start.",
)

MARKET_UPDATE_OUTLOOK: tuple[str, ...] = (
    "I'll keep watching the numbers and share what changes in my next update.",
    "Markets move, but good information and a clear plan always help.",
    "There's no one-size-fits-all answer, so let's look at your situation specifically.",
    "Follow along for my next update, so you always know where things stand.",
    "I'll be back with fresh numbers soon, and I'll tell you what's changed.",
    "If you have a question you'd like me to cover next time, send it my way.",
    *WORKING_TOGETHER,
)

PERSONAL_MESSAGE_OPENING: tuple[str, ...] = (
    "I just wanted to take a moment to reach out personally.",
    "I hope you and your family are doing well.",
    "It really means a lot to me to work with people like you.",
    "Moments like this are exactly why I love what I do.",
    "It's been a pleasure getting to know you.",
    "I've been thinking about you and wanted to say hello.",
    "I appreciate you taking the time to watch this.",
)

PERSONAL_MESSAGE_CARE: tuple[str, ...] = (
    "Helping people with one of the biggest decisions of their lives is something I never take "
    "lightly.",
    "Your trust means the world to me, and I don't take it for granted.",
    "Homes are about the people in them, and I hope yours is full of good memories.",
    "I'm grateful for the chance to be part of your story.",
    "I love staying in touch with the people I've had the chance to work with.",
    "Wishing you all the best in the weeks and months ahead.",
    "Buying or selling a home is about so much more than a transaction.",
    "I know how much thought goes into every decision about your home.",
    "Your home should be a place where you can truly relax, and I hope it is.",
    "Little moments at home often turn into the memories we treasure most.",
    "Thank you for the kindness you've shown me along the way.",
    "I'm so grateful.",
)

PERSONAL_MESSAGE_SUPPORT: tuple[str, ...] = (
    "Please know that my job doesn't end at the closing table.",
    "If you ever have a question about your home, your neighborhood or the market, I'm here.",
    "Whether it's a contractor recommendation or a quick question about your home's value, just "
    "ask.",
    "I'm always happy to help, even if it's something small.",
    "Sometimes the smallest questions turn out to be the most important, so never hesitate to "
    "reach out.",
    "If anything changes in your plans, let's talk about it together.",
    "I'll also keep you posted on anything in the local market that could matter to you.",
    "If you ever want a quick update on what homes are selling for nearby, I'm happy to send one.",
    "I keep a list of trusted local pros, from handymen to landscapers, and I'm happy to share it.",
    "Every season brings its own home projects, and I'm glad to point you in the right direction.",
    "If you're ever thinking about a renovation, I can tell you which projects tend to add value.",
    "And if your plans ever change down the road, we'll figure out the next step together.",
    "If you ever need a recommendation for a painter, plumber or electrician, I've got you "
    "covered.",
    "Insurance renewals and maintenance come up every year, and I'm happy to point you to good "
    "resources.",
    "If you ever want to talk through a home project before you start, I'd be happy to help.",
    "Even a quick text is fine; I'll get back to you as soon as I can.",
)

PERSONAL_MESSAGE_REFERRALS: tuple[str, ...] = (
    "If you know anyone who's thinking about buying or selling, I'd be honored to help them too.",
    "Referrals from people like you are the biggest compliment I can receive.",
    "I'll treat anyone you send my way with the same care I've tried to give you.",
    "I'll be checking in from time to time, but you don't have to wait for me to call.",
    "I'd love to hear how things are going whenever you have a moment.",
    "Stories from clients like you are what keep me going, so please keep them coming.",
    "A quick message, a question or just a hello is always welcome.",
    "Thank you for being part of my world.",
    "I'm looking forward to catching up with you soon.",
    "Until then, enjoy every moment in your home.",
    "Nothing makes me happier than seeing clients settle in and thrive.",
    "I'm proud of the work we did together, and I'm glad I got to be part of it.",
    "However I can help, now or years from now, I'm only a call away.",
    "I hope this little video brightens your day.",
    "I build my business on relationships, and ours is one I truly value.",
    "If a friend or family member mentions moving, I'd be grateful if you'd pass along my name.",
    "Let's grab a coffee sometime soon and catch up.",
    "Please say hello to everyone at home for me.",
    "I hope the rest of your week is a great one.",
    "You've made my work feel meaningful, and I'm thankful for that.",
)

CUSTOM_CONTEXT: tuple[str, ...] = (
    "It's something that comes up in a lot of my conversations with clients.",
    "There's a lot of information out there, so let's keep it simple.",
    "I'll keep this practical, so you can put it to use right away.",
    "Let's break it down step by step.",
    "Whether you're buying, selling or just planning ahead, this applies to you.",
    "I'll share what I've seen work for my clients.",
)

CUSTOM_BODY: tuple[str, ...] = (
    "Every situation is a little different, so the details really matter.",
    "The right answer for you depends on your goals, your timeline and your budget.",
    "A little planning up front goes a long way.",
    "It's easy to feel overwhelmed, but you don't have to figure it out alone.",
    "The best decisions come from good information and honest advice.",
    "What works for a neighbor or a friend may not be the right move for you.",
    "Ask questions early, and don't be afraid to ask them twice.",
    "Small steps now can save you time, money and stress later.",
    "Think about where you want to be a year from now, and work backward from there.",
    "It's not about being perfect; it's about being prepared.",
    "Write down your questions as they come up, so nothing slips through the cracks.",
    "The numbers matter, but so does how you feel about the decision.",
    "If something doesn't feel right, it's worth slowing down and asking why.",
    "Timing matters, but it's rarely the only thing that matters.",
    "A clear plan turns a stressful decision into a series of simple steps.",
    "Knowing your options is the first step to making a confident choice.",
    "It's always easier when you understand the why behind each step.",
    "Try not to compare your situation to headlines; your plan should fit your life.",
    "Talk it through with the people who matter most to you before you commit.",
    "When in doubt, get the facts first and decide second.",
)

CUSTOM_WORKING: tuple[str, ...] = (
    *WORKING_TOGETHER,
    "I share tips like this regularly, so follow along for the next one.",
    "If this was helpful, pass it along to someone who could use it.",
    "I'm always happy to be a sounding board, even if you're just starting to think about it.",
    "There's no such thing as a silly question when it comes to your home.",
    "Whatever stage you're at, I'm happy to help you figure out the next step.",
    "Real estate decisions are big ones, and you deserve clear, honest answers.",
    "Sometimes the most valuable thing is simply a second opinion.",
    "Let's make sure you have a plan that fits your life, not someone else's.",
    "I'm happy to walk you through it one-on-one, at whatever pace suits you.",
    "You don't need to have everything figured out before we talk.",
    "My goal is to make sure you feel informed and confident, whatever you decide.",
    "I'll give you straight answers, even when the answer is not yet.",
)

FILLERS: dict[VideoType, tuple[Section, ...]] = {
    VideoType.PROPERTY_LISTING: (
        ("overview", PROPERTY_LISTING_OVERVIEW),
        ("points", ()),
        ("lifestyle", PROPERTY_LISTING_LIFESTYLE),
        ("area", PROPERTY_LISTING_AREA),
        ("price", ()),
        ("why_now", PROPERTY_LISTING_WHY_NOW),
        ("working", PROPERTY_LISTING_WORKING),
    ),
    VideoType.MARKET_UPDATE: (
        ("context", MARKET_UPDATE_CONTEXT),
        ("points", ()),
        ("trends", MARKET_UPDATE_TRENDS),
        ("takeaway", ()),
        ("buyers", MARKET_UPDATE_BUYERS),
        ("sellers", MARKET_UPDATE_SELLERS),
        ("owners", MARKET_UPDATE_OWNERS),
        ("outlook", MARKET_UPDATE_OUTLOOK),
    ),
    VideoType.PERSONAL_MESSAGE: (
        ("opening", PERSONAL_MESSAGE_OPENING),
        ("points", ()),
        ("care", PERSONAL_MESSAGE_CARE),
        ("support", PERSONAL_MESSAGE_SUPPORT),
        ("referrals", PERSONAL_MESSAGE_REFERRALS),
    ),
    VideoType.CUSTOM: (
        ("context", CUSTOM_CONTEXT),
        ("points", ()),
        ("body", CUSTOM_BODY),
        ("working", CUSTOM_WORKING),
    ),
}
