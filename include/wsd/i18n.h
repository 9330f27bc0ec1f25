// Marks user-visible strings (option titles, descriptions, values) for
// translation without translating them here: a frontend or a catalogue
// extraction (xgettext --keyword=N_) picks them up, as SANE_I18N does.
#pragma once

#ifndef N_
#define N_(text) text
#endif
